import { defineQuery, defineUpdate } from '@temporalio/workflow';

// The per-buyer, per-year quota entity: one workflow serializes every reservation of one buyer's year.

export interface QuotaState {
  /** A keyed hash of the buyer's certificate number: never the number itself. */
  buyerKey: string;
  year: number;
  limitFen: number;
  orders: Record<string, QuotaHold>;
  /** Continue as new after this many updates in one run (tests set it low). */
  updatesPerRun?: number;
  /** How many times the entity has continued as new. */
  renewals?: number;
}

/** One order's share of the quota. */
export interface QuotaHold {
  amountFen: number;
  status: 'RESERVED' | 'COMMITTED';
  /**
   * Epoch milliseconds after which the reservation, while unpaid, stops counting (it has lapsed). Absent:
   * it counts until committed or released, as every reservation made before holdUntil existed.
   */
  holdUntil?: number;
  /** Set by markPaid: the reservation counts until committed or released, whatever holdUntil said. */
  paid?: boolean;
  /**
   * Committed orders only: the goods returned within 30 days of release, by returnId, in fen. The year's total
   * is adjusted for them (海关总署公告2018年第194号), so the order counts amountFen minus their sum.
   */
  returns?: Record<string, number>;
}

export interface QuotaUsage {
  buyerKey: string;
  year: number;
  limitFen: number;
  /** Live reservations only: paid, without holdUntil, or before their holdUntil. */
  reservedFen: number;
  /** The part of reservedFen that lapses at its holdUntil unless the order is paid first. */
  unpaidFen: number;
  /** Lapsed unpaid reservations the entity has not yet removed; they do not count. */
  lapsedFen: number;
  /** Committed orders, less what returns gave back. */
  committedFen: number;
  /** What returns of committed orders gave back. */
  returnedFen: number;
  remainingFen: number;
  renewals: number;
}

export interface QuotaReservation {
  orderId: string;
  amountFen: number;
  /**
   * Epoch milliseconds (a whole number, later than now) after which the reservation stops counting unless
   * the order is marked paid: the order's payment expiry plus a grace. Absent: it never lapses.
   */
  holdUntil?: number;
}

/** The order is paid: its reservation counts until committed or released. */
export interface QuotaPayment {
  orderId: string;
  /** The reserved amount, so a reservation that lapsed and was removed can be held again. */
  amountFen: number;
}

export interface QuotaCommit {
  orderId: string;
  /** Optional: lets a commit hold again a lapsed unpaid reservation the entity already removed. */
  amountFen?: number;
}

/** Goods of a committed order were returned within 30 days of release: the order counts amountFen less. */
export interface QuotaReturn {
  orderId: string;
  /** Names the return: the same returnId again changes nothing. */
  returnId: string;
  /** The returned goods' share of what the order counts, in fen. */
  amountFen: number;
}

export const reserveQuotaUpdate = defineUpdate<QuotaUsage, [QuotaReservation]>('reserve');
export const markQuotaPaidUpdate = defineUpdate<QuotaUsage, [QuotaPayment]>('markPaid');
export const commitQuotaUpdate = defineUpdate<QuotaUsage, [QuotaCommit]>('commit');
export const releaseQuotaUpdate = defineUpdate<QuotaUsage, [{ orderId: string }]>('release');
export const returnQuotaUpdate = defineUpdate<QuotaUsage, [QuotaReturn]>('return');
export const quotaUsageQuery = defineQuery<QuotaUsage>('usage');

export const quotaWorkflowId = (buyerKey: string, year: number) => `quota-${buyerKey}-${year}`;

export const QUOTA_EXCEEDED = 'ANNUAL_QUOTA_EXCEEDED';
/** A return names an order whose quota is not committed (not released, released again, or unknown). */
export const RETURN_NOT_COMMITTED = 'RETURN_NOT_COMMITTED';
/** A return gives back more than the order still counts. */
export const RETURN_EXCEEDS_COMMITTED = 'RETURN_EXCEEDS_COMMITTED';
