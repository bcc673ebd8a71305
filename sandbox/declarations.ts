import { randomUUID } from 'node:crypto';
import {
  ALIPAY_CN_REGISTRATION_ID,
  APIS,
  RETRANSMIT_MUTABLE_FIELDS,
  SUCCESS,
  type DeclarationStatus,
  type ParsedDeclareRequest,
} from '../alipay-plus';
import { MINUTE, iso } from './clock';
import type { CustomsRules, ReviewOutcome } from './customs-rules';
import type { PaymentBook } from './payments';
import { parse } from './payments';
import { ProtocolFailure } from './protocol-failure';

/** A retransmission must come more than this long after the last accepted call for the declaration. */
export const RETRANSMIT_GAP_MS = 5 * MINUTE;

export interface DeclareCall {
  at: number;
  kind: 'FIRST' | 'IDEMPOTENT_REPEAT' | 'RETRANSMISSION';
  amount: string;
  customsCode: string;
  merchantCustomsCode: string;
}

export interface Review {
  startedAt: number;
  outcome: ReviewOutcome;
  processingAfterMs: number;
  decisionAfterMs: number;
}

export interface Declaration {
  id: string;
  paymentRequestId: string;
  customsOrderId: string;
  request: ParsedDeclareRequest;
  firstResponse: Record<string, unknown>;
  pspDeclarationRequestId: string;
  calls: DeclareCall[];
  refusedCalls: { at: number; resultCode: string; message: string }[];
  reviews: Review[];
}

/** declare and inquireDeclarationRequests, with every rule of domain.md and seed 003. */
export class DeclarationBook {
  readonly declarations = new Map<string, Declaration>();

  constructor(
    private readonly payments: PaymentBook,
    private readonly rules: CustomsRules,
    /** Alipay+ says it may adjust the 5 minutes; demos shorten it. */
    private readonly retransmitGapMs = RETRANSMIT_GAP_MS,
  ) {}

  declare(body: unknown, now: number) {
    const req = parse(APIS.declare.request, body, 'declare');
    const payment = this.payments.get(req.paymentRequestId);
    if (!payment) throw new ProtocolFailure('ORDER_NOT_EXIST', `no payment with paymentRequestId ${req.paymentRequestId}`);
    if (payment.status !== 'SUCCESS') {
      throw new ProtocolFailure('INVALID_ORDER_STATUS', `the payment is ${payment.status}; only paid orders are declared`);
    }
    const existing = this.declarations.get(req.customsDeclarationRequestId);
    return existing ? this.repeat(existing, req, now) : this.first(req, now);
  }

  private first(req: ParsedDeclareRequest, now: number) {
    const payment = this.payments.get(req.paymentRequestId)!;
    const customsOrderId = req.isSplit === 'true' ? req.referenceOrderId! : req.paymentRequestId;
    this.refuseDuplicate(req.customsDeclarationRequestId, customsOrderId, req.customs.customsCode);
    this.refuseOverLimit(req, null);

    // identityCheckResult comes back once per payment: on its first declaration that carries buyerCertificate.
    // Per the declare reference: CHECK_PASSED when the buyer's name and ID number are the payer's, unless a rule says otherwise.
    const certificateSeen = [...this.declarations.values()].some(
      (d) => d.paymentRequestId === req.paymentRequestId && d.request.buyerCertificate,
    );
    let identityCheckResult: 'CHECK_PASSED' | 'CHECK_NOT_PASSED' | undefined;
    if (req.buyerCertificate && !certificateSeen) {
      const payer = payment.payer!;
      const same =
        payer.certificateType === req.buyerCertificate.certificateType &&
        payer.certificateNo === req.buyerCertificate.certificateNo &&
        payer.fullName === req.buyerCertificate.holderName.fullName;
      identityCheckResult = this.rules.identityCheckFor(req.paymentRequestId) ?? (same ? 'CHECK_PASSED' : 'CHECK_NOT_PASSED');
    }

    const pspDeclarationRequestId = `D${randomUUID().replaceAll('-', '').slice(0, 30)}`;
    const firstResponse = {
      result: SUCCESS,
      pspPaymentId: payment.paymentId,
      pspDeclarationRequestId,
      pspCustomsCode: ALIPAY_CN_REGISTRATION_ID,
      clearingChannel: 'NUCC',
      clearingTransactionId: `C${randomUUID().replaceAll('-', '').slice(0, 30)}`,
      pspOrderAmount: payment.amount,
      ...(identityCheckResult && { identityCheckResult }),
    };
    const declaration: Declaration = {
      id: req.customsDeclarationRequestId,
      paymentRequestId: req.paymentRequestId,
      customsOrderId,
      request: req,
      firstResponse,
      pspDeclarationRequestId,
      calls: [],
      refusedCalls: [],
      reviews: [],
    };
    this.declarations.set(declaration.id, declaration);
    this.accept(declaration, 'FIRST', now);
    return firstResponse;
  }

  private repeat(d: Declaration, req: ParsedDeclareRequest, now: number) {
    const changed = changedFields(d.request, req);
    const last = d.calls[d.calls.length - 1].at;
    const elapsed = now - last;
    const refuse = (code: string, message: string): never => {
      d.refusedCalls.push({ at: now, resultCode: code, message });
      throw new ProtocolFailure(code, message);
    };

    if (elapsed <= this.retransmitGapMs) {
      if (changed.length === 0) {
        this.accept(d, 'IDEMPOTENT_REPEAT', now);
        return d.firstResponse;
      }
      return refuse(
        'REPEAT_REQ_INCONSISTENT',
        `${changed.join(', ')} changed only ${Math.floor(elapsed / 1000)}s after the last call at ${iso(last)}; ` +
          `a retransmission must come more than ${this.retransmitGapMs / 60_000} minutes after the last call`,
      );
    }
    const immutable = changed.filter((f) => !(RETRANSMIT_MUTABLE_FIELDS as readonly string[]).includes(f));
    if (immutable.length > 0) {
      return refuse(
        'REPEAT_REQ_INCONSISTENT',
        `${immutable.join(', ')} may not change on a retransmission; only ${RETRANSMIT_MUTABLE_FIELDS.join(', ')} may`,
      );
    }
    try {
      if (req.customs.customsCode !== d.request.customs.customsCode) {
        this.refuseDuplicate(d.id, d.customsOrderId, req.customs.customsCode);
      }
      this.refuseOverLimit(req, d.id);
    } catch (error) {
      return refuse((error as ProtocolFailure).resultCode, (error as Error).message);
    }
    d.request = req;
    this.accept(d, 'RETRANSMISSION', now);
    return d.firstResponse;
  }

  /** Records an accepted call. A first submission or a retransmission starts a new customs review. */
  private accept(d: Declaration, kind: DeclareCall['kind'], now: number) {
    d.calls.push({
      at: now,
      kind,
      amount: d.request.declarationAmount.value,
      customsCode: d.request.customs.customsCode,
      merchantCustomsCode: d.request.merchantCustomsInfo.merchantCustomsCode,
    });
    if (kind === 'IDEMPOTENT_REPEAT') return;
    const rule = this.rules.reviewFor(d.id, d.customsOrderId);
    const outcome = rule.outcomes[Math.min(d.reviews.length, rule.outcomes.length - 1)];
    d.reviews.push({ startedAt: now, outcome, processingAfterMs: rule.processingAfterMs, decisionAfterMs: rule.decisionAfterMs });
  }

  private refuseDuplicate(id: string, customsOrderId: string, customsCode: string) {
    for (const other of this.declarations.values()) {
      if (other.id !== id && other.customsOrderId === customsOrderId && other.request.customs.customsCode === customsCode) {
        throw new ProtocolFailure(
          'DUPLICATED_DECLARATION',
          `order ${customsOrderId} is already declared at ${customsCode} by ${other.id}; an order is declared once at one customs`,
        );
      }
    }
  }

  /** The current amounts of a payment's declarations may not add up to more than its customsDeclarationAmount. */
  private refuseOverLimit(req: ParsedDeclareRequest, replacing: string | null) {
    const payment = this.payments.get(req.paymentRequestId)!;
    let total = BigInt(req.declarationAmount.value);
    for (const d of this.declarations.values()) {
      if (d.paymentRequestId === req.paymentRequestId && d.id !== replacing) total += BigInt(d.request.declarationAmount.value);
    }
    if (total > BigInt(payment.amount.value)) {
      throw new ProtocolFailure(
        'DECLARED_AMOUNT_EXCEED_LIMIT',
        `declarations of ${req.paymentRequestId} would total ${total} fen, more than the customsDeclarationAmount of ${payment.amount.value} fen`,
      );
    }
  }

  inquire(body: unknown, now: number) {
    const req = parse(APIS.inquireDeclarationRequests.request, body, 'inquireDeclarationRequests');
    const declarationRecords = [];
    const declarationRequestsNotFound = [];
    for (const id of req.declarationRequestIds) {
      const d = this.declarations.get(id);
      if (d) declarationRecords.push(this.record(d, now));
      else declarationRequestsNotFound.push(id);
    }
    return { result: SUCCESS, declarationRecords, declarationRequestsNotFound };
  }

  /** Where the latest review stands on the sandbox clock. */
  reviewState(d: Declaration, now: number) {
    const review = d.reviews[d.reviews.length - 1];
    const t = now - review.startedAt;
    if (t < review.processingAfterMs) return { status: 'WAITING_FOR_PROCESSING' as DeclarationStatus, code: '2' };
    if (t < review.decisionAfterMs) return { status: 'IN_PROCESS' as DeclarationStatus, code: '3' };
    const returnedAt = review.startedAt + review.decisionAfterMs;
    if (review.outcome.decision === 'ACCEPT') {
      return { status: 'CUSTOMS_ACCEPT_SUCCESS' as DeclarationStatus, code: '399', description: 'finalised', returnedAt };
    }
    // The public status values have no rejection: a rejected document stays IN_PROCESS with customs' code.
    return { status: 'IN_PROCESS' as DeclarationStatus, code: review.outcome.code, description: review.outcome.description, returnedAt };
  }

  private record(d: Declaration, now: number) {
    const state = this.reviewState(d, now);
    const last = d.calls[d.calls.length - 1];
    return {
      customsDeclarationRequestId: d.id,
      paymentRequestId: d.paymentRequestId,
      customs: d.request.customs,
      merchantCustomsInfo: d.request.merchantCustomsInfo,
      declarationAmount: d.request.declarationAmount,
      isSplit: d.request.isSplit,
      ...(d.request.referenceOrderId && { referenceOrderId: d.request.referenceOrderId }),
      pspDeclarationRequestId: d.pspDeclarationRequestId,
      declarationRequestStatus: state.status,
      customsResultCode: state.code,
      ...(state.description && { customsResultDescription: state.description }),
      ...(state.returnedAt !== undefined && { customsResultReturnedTime: iso(state.returnedAt) }),
      lastModifiedTime: iso(last.at),
    };
  }

  /** The declaration whose payment document customs accepted for this customs order ID, if any. */
  acceptedFor(customsOrderId: string, now: number) {
    for (const d of this.declarations.values()) {
      if (d.customsOrderId === customsOrderId && this.reviewState(d, now).status === 'CUSTOMS_ACCEPT_SUCCESS') return d;
    }
    return undefined;
  }

  summary(d: Declaration, now: number) {
    const state = this.reviewState(d, now);
    return {
      customsDeclarationRequestId: d.id,
      paymentRequestId: d.paymentRequestId,
      customsOrderId: d.customsOrderId,
      customsCode: d.request.customs.customsCode,
      currentAmount: d.request.declarationAmount.value,
      status: state.status,
      customsResultCode: state.code,
      calls: d.calls.map((c) => ({ ...c, at: iso(c.at) })),
      refusedCalls: d.refusedCalls.map((c) => ({ ...c, at: iso(c.at) })),
      reviews: d.reviews.length,
    };
  }
}

/** Dotted paths of the fields that differ between two declare requests. */
export function changedFields(before: ParsedDeclareRequest, after: ParsedDeclareRequest): string[] {
  const flat = (o: unknown, prefix = ''): Map<string, string> => {
    const out = new Map<string, string>();
    if (o && typeof o === 'object') {
      for (const [k, v] of Object.entries(o)) {
        const key = prefix ? `${prefix}.${k}` : k;
        // An amount changes as one field.
        if (key === 'declarationAmount') out.set(key, JSON.stringify(v));
        else for (const [k2, v2] of flat(v, key)) out.set(k2, v2);
      }
    } else if (o !== undefined) {
      out.set(prefix, typeof o === 'string' ? o : JSON.stringify(o));
    }
    return out;
  };
  const a = flat(before);
  const b = flat(after);
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}
