import { defineQuery, defineUpdate } from '@temporalio/workflow';

// The per-buyer, per-year quota entity: one workflow serializes every reservation of one buyer's year.

export interface QuotaState {
  /** A keyed hash of the buyer's certificate number: never the number itself. */
  buyerKey: string;
  year: number;
  limitFen: number;
  orders: Record<string, { amountFen: number; status: 'RESERVED' | 'COMMITTED' }>;
  /** Continue as new after this many updates in one run (tests set it low). */
  updatesPerRun?: number;
  /** How many times the entity has continued as new. */
  renewals?: number;
}

export interface QuotaUsage {
  buyerKey: string;
  year: number;
  limitFen: number;
  reservedFen: number;
  committedFen: number;
  remainingFen: number;
  renewals: number;
}

export interface QuotaReservation {
  orderId: string;
  amountFen: number;
}

export const reserveQuotaUpdate = defineUpdate<QuotaUsage, [QuotaReservation]>('reserve');
export const commitQuotaUpdate = defineUpdate<QuotaUsage, [{ orderId: string }]>('commit');
export const releaseQuotaUpdate = defineUpdate<QuotaUsage, [{ orderId: string }]>('release');
export const quotaUsageQuery = defineQuery<QuotaUsage>('usage');

export const quotaWorkflowId = (buyerKey: string, year: number) => `quota-${buyerKey}-${year}`;

export const QUOTA_EXCEEDED = 'ANNUAL_QUOTA_EXCEEDED';
