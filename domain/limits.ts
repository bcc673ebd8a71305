// Customs policy limits for cross-border retail imports (seed 000), in fen.

/** One transaction may not exceed 5,000 CNY. */
export const MAX_ORDER_FEN = 500_000;

/** One buyer may not exceed 26,000 CNY a calendar year. */
export const ANNUAL_QUOTA_FEN = 2_600_000;

/** Refunds are applied for within 90 days of the payment (seed 001). */
export const REFUND_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;

/** Alipay+ refuses a retransmission less than 5 minutes after the last declare call for the same id. */
export const RETRANSMIT_GAP_MS = 5 * 60 * 1000;

/** `123456` fen reads as `1,234.56 CNY`. */
export function formatCny(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}${yuan}.${String(abs % 100).padStart(2, '0')} CNY`;
}

/** The customs calendar year of an instant: China Standard Time, UTC+8. */
export function customsYear(epochMs: number): number {
  return new Date(epochMs + 8 * 60 * 60 * 1000).getUTCFullYear();
}
