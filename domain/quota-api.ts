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
  /** Committed orders: when the entity took the commit (epoch ms). Absent for commits before it was kept. */
  committedAt?: number;
  /** The order closes its hold (`closeHold`) once final; until then the hold keeps the entity open. */
  untilClosed?: boolean;
  /** The order said it is final for the quota: nothing changes this hold any more. */
  closed?: boolean;
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
  /**
   * Optional: the dutiable value of the goods the buyer keeps, at most what the order holds (a split order
   * commits its kept parts only). Also lets a commit hold again a lapsed unpaid reservation the entity removed.
   */
  amountFen?: number;
  /**
   * The order will close its hold (`closeHold`) when final. Without it (orders before exact-money) the hold
   * keeps the entity open for the return window and a margin after the commit (domain/quota-holds.ts).
   */
  untilClosed?: boolean;
}

/** The order is final for the quota: no commit, release or return of it follows. */
export interface QuotaClose {
  orderId: string;
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
export const closeQuotaHoldUpdate = defineUpdate<QuotaUsage, [QuotaClose]>('closeHold');
export const quotaUsageQuery = defineQuery<QuotaUsage>('usage');

export const quotaWorkflowId = (buyerKey: string, year: number) => `quota-${buyerKey}-${year}`;

export const QUOTA_EXCEEDED = 'ANNUAL_QUOTA_EXCEEDED';
/** A return names an order whose quota is not committed (not released, released again, or unknown). */
export const RETURN_NOT_COMMITTED = 'RETURN_NOT_COMMITTED';
/** A return gives back more than the order still counts. */
export const RETURN_EXCEEDS_COMMITTED = 'RETURN_EXCEEDS_COMMITTED';
/** A commit names more than the order holds: it may name less (the goods the buyer kept), never more. */
export const COMMIT_EXCEEDS_HOLD = 'COMMIT_EXCEEDS_HOLD';
/** A commit of another amount than the order already committed. */
export const COMMIT_AMOUNT_CHANGED = 'COMMIT_AMOUNT_CHANGED';
/** A close of a hold that is only reserved: the order releases it or commits it first. */
export const CLOSE_NOT_COMMITTED = 'CLOSE_NOT_COMMITTED';
/** A new return of an order that closed its hold. */
export const HOLD_CLOSED = 'QUOTA_HOLD_CLOSED';
/** The entity of the buyer's year is not running: an update to it can never be taken (activities/quota.ts). */
export const QUOTA_ENTITY_CLOSED = 'QUOTA_ENTITY_CLOSED';
