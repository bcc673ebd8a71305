import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { formatSettlementFile, type SettlementLine } from '../alipay-plus/settlement-file';
import { DAY, iso } from './clock';
import type { PaymentBook, Payment } from './payments';
import type { Refund, RefundBook } from './refunds';
import { HelperError, helperParse } from './protocol-failure';

// The daily transaction file (alipay-plus/settlement-file.ts has its layout), made from the sandbox's own
// ledger: one line per payment that succeeded on the day and per refund requested on it, with the refund's
// latest status. A transaction day runs from 00:00 to 24:00 UTC in the sandbox (docs/sandbox.md).
//
// Tests plant mismatches through POST /sandbox/settlement-file/plants: a payment no order knows, a line
// left out, or a line whose amount, currency, status or rate differs from what the ledger holds.

const date = z.iso.date();

export const settlementPlantBody = z.discriminatedUnion('kind', [
  /** A payment Alipay+ settled that no order of the merchant made. */
  z.object({
    kind: z.literal('UNKNOWN_PAYMENT'),
    date,
    amountFen: z.number().int().min(1),
    paymentRequestId: z.string().min(1).max(64).optional(),
  }),
  /** The line of this payment or refund request is left out of the file. */
  z.object({ kind: z.literal('OMIT'), transactionRequestId: z.string().min(1).max(64) }),
  /** The line of this payment or refund request says something else than the ledger. */
  z.object({
    kind: z.literal('ALTER'),
    transactionRequestId: z.string().min(1).max(64),
    transactionAmountValue: z
      .string()
      .regex(/^\d{1,18}$/)
      .optional(),
    transactionCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    transactionStatus: z.enum(['SUCCESS', 'PROCESSING', 'FAIL']).optional(),
    quotePrice: z
      .string()
      .regex(/^\d{1,12}(\.\d{1,10})?$/)
      .optional(),
  }),
]);
export type SettlementPlant = z.infer<typeof settlementPlantBody>;

/** A refund's status as the file shows it: its latest, PROCESSING until its cut-off, then SUCCESS or FAIL. */
export function refundFileStatus(r: Refund): SettlementLine['transactionStatus'] {
  return r.status;
}

export class SettlementFiles {
  private readonly plants: SettlementPlant[] = [];

  constructor(
    private readonly payments: PaymentBook,
    private readonly refunds: RefundBook,
    private readonly customerId: string,
  ) {}

  plant(body: unknown) {
    const p = helperParse(settlementPlantBody, body);
    if (p.kind === 'UNKNOWN_PAYMENT') {
      const planted = { ...p, paymentRequestId: p.paymentRequestId ?? `UNKNOWN-${randomUUID().slice(0, 8)}` };
      this.plants.push(planted);
      return { planted };
    }
    this.plants.push(p);
    return { planted: p };
  }

  /** The file of one transaction day (YYYY-MM-DD), as GET /v1/settlements/{customerId}/{YYYYMMDD}/... serves it. */
  file(customerId: string, yyyymmdd: string, now: number): string {
    if (customerId !== this.customerId) throw new HelperError(404, `no files for customer ${customerId}`);
    const day = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
    const start = Date.parse(`${day}T00:00:00Z`);
    if (Number.isNaN(start)) throw new HelperError(404, `no such day ${yyyymmdd}`);
    // Published on T+1: the day must be over.
    if (now < start + DAY) throw new HelperError(404, `the file of ${day} is published once the day is over`);
    return formatSettlementFile(this.lines(day, start, now));
  }

  private lines(day: string, start: number, now: number): SettlementLine[] {
    const within = (ms: number | undefined) => ms !== undefined && ms >= start && ms < start + DAY;
    const lines: SettlementLine[] = [];
    for (const p of this.payments.payments.values()) {
      if (p.status === 'SUCCESS' && within(p.paidAt)) lines.push(this.paymentLine(p));
      // of() settles a refund whose cut-off has passed, so the line shows its final status.
      for (const r of this.refunds.of(p.paymentRequestId, now)) if (within(r.at)) lines.push(this.refundLine(p, r));
    }
    for (const plant of this.plants) if (plant.kind === 'UNKNOWN_PAYMENT' && plant.date === day) lines.push(this.unknownLine(plant, start));
    return lines.flatMap((line) => this.altered(line));
  }

  private altered(line: SettlementLine): SettlementLine[] {
    const mine = this.plants.filter((p) => p.kind !== 'UNKNOWN_PAYMENT' && p.transactionRequestId === line.transactionRequestId);
    if (mine.some((p) => p.kind === 'OMIT')) return [];
    let out = line;
    for (const p of mine) {
      if (p.kind !== 'ALTER') continue;
      const { kind: _k, transactionRequestId: _t, ...changes } = p;
      out = { ...out, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
    }
    return [out];
  }

  private paymentLine(p: Payment): SettlementLine {
    return {
      ...this.money(p, p.amount.value, p.amount.currency),
      transactionId: p.paymentId,
      originalTransactionId: '',
      transactionRequestId: p.paymentRequestId,
      originalTransactionRequestId: '',
      transactionType: 'PAYMENT',
      transactionStatus: 'SUCCESS',
      transactionTime: iso(p.paidAt!),
    };
  }

  private refundLine(p: Payment, r: Refund): SettlementLine {
    return {
      // Refunds settle at the rate recorded at payment.
      ...this.money(p, r.amount.value, r.amount.currency),
      transactionId: r.refundId,
      originalTransactionId: p.paymentId,
      transactionRequestId: r.refundRequestId,
      originalTransactionRequestId: p.paymentRequestId,
      transactionType: 'REFUND',
      transactionStatus: refundFileStatus(r),
      transactionTime: iso(r.at),
    };
  }

  private unknownLine(plant: Extract<SettlementPlant, { kind: 'UNKNOWN_PAYMENT' }>, start: number): SettlementLine {
    const price = '7.1000';
    return {
      customerId: this.customerId,
      transactionId: `2026${plant.paymentRequestId!.replace(/\W/g, '').slice(-20)}`,
      originalTransactionId: '',
      transactionRequestId: plant.paymentRequestId!,
      originalTransactionRequestId: '',
      transactionType: 'PAYMENT',
      transactionStatus: 'SUCCESS',
      transactionTime: iso(start + DAY / 2),
      transactionAmountValue: String(plant.amountFen),
      transactionCurrency: 'CNY',
      settlementAmountValue: settle(String(plant.amountFen), price),
      settlementCurrency: 'USD',
      quoteCurrencyPair: 'USD/CNY',
      quotePrice: price,
    };
  }

  private money(p: Payment, value: string, currency: string) {
    const [settlementCurrency = 'USD'] = (p.quote?.quoteCurrencyPair ?? 'USD/CNY').split('/');
    const quotePrice = p.quote?.quotePrice ?? '1';
    return {
      customerId: this.customerId,
      transactionAmountValue: value,
      transactionCurrency: currency,
      settlementAmountValue: settle(value, quotePrice),
      settlementCurrency,
      quoteCurrencyPair: p.quote?.quoteCurrencyPair ?? `${settlementCurrency}/${currency}`,
      quotePrice,
    };
  }
}

/** CNY fen at `price` CNY per unit of the settlement currency, in its cents, rounded half up. */
function settle(fen: string, price: string): string {
  return String(Math.round(Number(fen) / Number(price)));
}
