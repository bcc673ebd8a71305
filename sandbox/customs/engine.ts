import type { KeyLike } from 'node:crypto';
import {
  buildCeb411,
  CebSignatureError,
  CebValidationError,
  CebXmlRefused,
  messageTypeOf,
  parseCeb311,
  parseCeb511,
  parseCeb621,
  parseCeb625,
  signCebMessage,
  verifyCebMessage,
  type Ceb311,
  type Ceb511,
  type Ceb621,
  type Ceb625,
  type SigningKey,
} from '../../eport/ceb';
import type { Outgoing } from './delivery';
import { matchProblems, type Documents } from './documents';
import { stepsOf, type InventoryPath, type PathStep } from './paths';
import type { PaymentDeclaration } from './payment-declaration';
import { cst, paymentHeadOf, receiptXml, type ReceiptType, type ReturnFields } from './receipts';
import { checkReturn } from './returns';

export { RETURN_WINDOW_MS } from './returns';
export type { PaymentDeclaration } from './payment-declaration';

// The sandbox's customs, as a pure state machine: signed filings in, signed receipts out. Time is
// passed in (`at`, epoch ms) and nothing is sent: the caller delivers the receipts (delivery.ts).

export interface EngineOptions {
  /** The customs' development key, which signs every receipt. */
  signingKey: SigningKey;
  /** The public key of a filing company, by its customs code (the transfer client's identity). */
  keyOf: (copCode: string) => KeyLike | undefined;
  /** The path each order's inventory list takes; a re-filed list asks again. */
  pathFor: (orderNo: string, attempt: number) => InventoryPath;
  customsCode?: string;
}

interface InventoryFile {
  list: Ceb621['Inventory'];
  to: string;
  steps: PathStep[];
  next: number;
  status: string;
  invtNo: string;
  preNo: string;
  releasedAt?: number;
}

export type ReceiveResult = { accepted: true; receipts: Outgoing[] } | { accepted: false; reason: string };

export class CustomsEngine {
  private readonly docs = new Map<string, Documents>();
  private readonly inventories = new Map<string, InventoryFile>();
  private readonly attempts = new Map<string, number>();
  private readonly returned = new Map<string, number>();
  private serial = 0;

  constructor(private readonly options: EngineOptions) {}

  /** A signed filing from the company `from`: verified, parsed from what the signature covers, then processed. */
  receive(xml: string, from: string, at: number): ReceiveResult {
    const key = this.options.keyOf(from);
    if (!key) return { accepted: false, reason: `no key registered for ${from}` };
    try {
      const type = messageTypeOf(xml);
      const signed = verifyCebMessage(xml, { publicKey: key });
      switch (type) {
        case 'CEB311Message':
          return this.onOrder(parseCeb311(signed), from, at);
        case 'CEB511Message':
          return this.onWaybill(parseCeb511(signed), from, at);
        case 'CEB621Message':
          return this.onInventory(parseCeb621(signed), from, at);
        case 'CEB625Message':
          return this.onReturn(parseCeb625(signed), from, at);
        default:
          return { accepted: false, reason: `${type} is not filed by companies` };
      }
    } catch (error) {
      if (error instanceof CebSignatureError || error instanceof CebXmlRefused || error instanceof CebValidationError) {
        return { accepted: false, reason: error.message };
      }
      throw error;
    }
  }

  /** Alipay's declare, seen by customs as the payment document CEB411; its receipt goes to the payment company. */
  declarePayment(d: PaymentDeclaration, at: number): Outgoing[] {
    const head = paymentHeadOf(d, this.guid(), at);
    // Built through the schema, so a declaration that breaks a field rule fails here.
    const transfer = { copCode: d.payCode, copName: d.payName, dxpMode: 'DXP', dxpId: 'DXPENTALIPAY0001' } as const;
    buildCeb411({ guid: this.guid(), version: '1.0', Payment: { PaymentHead: head }, BaseTransfer: transfer });
    this.file(d.orderNo).payment = head;
    const fields = { guid: head.guid, payCode: d.payCode, payTransactionId: d.payTransactionId };
    return [this.receipt(d.payCode, 'CEB412Message', d.orderNo, fields, '120', 'stored', at)];
  }

  /** The next state of an order's inventory list, if its path has one. */
  advance(orderNo: string, at: number): Outgoing[] {
    const inv = this.inventories.get(orderNo);
    if (!inv || inv.next >= inv.steps.length) return [];
    const step = inv.steps[inv.next++];
    inv.status = step.code;
    if (step.code === '800') inv.releasedAt = at;
    return [this.inventoryReceipt(orderNo, inv, step.code, step.info, at)];
  }

  /** Every remaining state of the path, in order. */
  settle(orderNo: string, at: number): Outgoing[] {
    const out: Outgoing[] = [];
    for (let r = this.advance(orderNo, at); r.length > 0; r = this.advance(orderNo, at)) out.push(...r);
    return out;
  }

  /** The customs' number of an order's inventory list, which a return names. */
  invtNoOf(orderNo: string): string | undefined {
    return this.inventories.get(orderNo)?.invtNo;
  }

  inventoryStatus(orderNo: string): string | undefined {
    return this.inventories.get(orderNo)?.status;
  }

  /** The goods value returned (CEB625 accepted) for an order, in fen. */
  returnedValueFen(orderNo: string): number {
    return this.returned.get(orderNo) ?? 0;
  }

  private onOrder(m: Ceb311, from: string, at: number): ReceiveResult {
    const h = m.Order.OrderHead;
    const file = this.file(h.orderNo);
    const duplicate = file.order !== undefined && h.appType === '1';
    if (!duplicate) file.order = h;
    const [status, info] = duplicate ? ['100', `order ${h.orderNo} was already filed; file a change (appType 2)`] : ['120', 'stored'];
    const fields = { guid: h.guid, ebpCode: h.ebpCode, ebcCode: h.ebcCode, orderNo: h.orderNo };
    return { accepted: true, receipts: [this.receipt(from, 'CEB312Message', h.orderNo, fields, status, info, at)] };
  }

  private onWaybill(m: Ceb511, from: string, at: number): ReceiveResult {
    const h = m.Logistics.LogisticsHead;
    this.file(h.orderNo).waybill = h;
    const fields = { guid: h.guid, logisticsCode: h.logisticsCode, logisticsNo: h.logisticsNo };
    return { accepted: true, receipts: [this.receipt(from, 'CEB512Message', h.orderNo, fields, '120', 'stored', at)] };
  }

  private onInventory(m: Ceb621, from: string, at: number): ReceiveResult {
    const { InventoryHead: head, InventoryList: lines } = m.Inventory;
    const current = this.inventories.get(head.orderNo);
    const preNo = `B${cst(at).slice(0, 8)}${String(++this.serial).padStart(9, '0')}`;
    const inv: InventoryFile = { list: m.Inventory, to: from, steps: [], next: 0, status: '120', invtNo: this.invtNo(at), preNo };
    if (current && current.status !== '100') {
      const info = `a list for order ${head.orderNo} is already being processed`;
      return { accepted: true, receipts: [this.inventoryReceipt(head.orderNo, inv, '-621001', info, at)] };
    }
    const attempt = this.attempts.get(head.orderNo) ?? 0;
    this.attempts.set(head.orderNo, attempt + 1);
    this.inventories.set(head.orderNo, inv);
    const problems = matchProblems(this.docs.get(head.orderNo) ?? {}, head, lines);
    if (problems.length > 0) {
      inv.status = '100';
      const info = `three-document match failed: ${problems.join('; ')}`;
      return { accepted: true, receipts: [this.inventoryReceipt(head.orderNo, inv, '100', info, at)] };
    }
    inv.steps = stepsOf(this.options.pathFor(head.orderNo, attempt));
    return { accepted: true, receipts: [this.inventoryReceipt(head.orderNo, inv, '120', 'stored', at)] };
  }

  private onReturn(m: Ceb625, from: string, at: number): ReceiveResult {
    const h = m.InvtRefund.InvtRefundHead;
    const inv = this.inventories.get(h.orderNo);
    const { problems, valueFen } = checkReturn(
      m,
      inv && { invtNo: inv.invtNo, releasedAt: inv.releasedAt, lines: inv.list.InventoryList },
      at,
    );
    if (problems.length === 0) this.returned.set(h.orderNo, this.returnedValueFen(h.orderNo) + valueFen);
    const statuses =
      problems.length > 0
        ? [['100', problems.join('; ')]]
        : [
            ['120', 'stored'],
            ['399', 'return accepted'],
          ];
    const fields = {
      guid: h.guid,
      customsCode: h.customsCode,
      ebpCode: h.ebpCode,
      ebcCode: h.ebcCode,
      agentCode: h.agentCode,
      invtNo: h.invtNo,
    };
    const receipts = statuses.map(([status, info]) => this.receipt(from, 'CEB626Message', h.orderNo, fields, status, info, at));
    return { accepted: true, receipts };
  }

  private inventoryReceipt(orderNo: string, inv: InventoryFile, status: string, info: string, at: number): Outgoing {
    const h = inv.list.InventoryHead;
    const assigned = status !== '100' && !status.startsWith('-');
    const fields = {
      guid: h.guid,
      customsCode: h.customsCode,
      ebpCode: h.ebpCode,
      ebcCode: h.ebcCode,
      agentCode: h.agentCode,
      copNo: h.copNo,
      preNo: inv.preNo,
      invtNo: assigned ? inv.invtNo : undefined,
    };
    return this.receipt(inv.to, 'CEB622Message', orderNo, fields, status, info, at);
  }

  /** A receipt for `to`, written through its schema and signed with the customs' key. */
  private receipt(
    to: string,
    type: ReceiptType,
    orderNo: string,
    fields: ReturnFields,
    status: string,
    info: string,
    at: number,
  ): Outgoing {
    const xml = receiptXml(type, this.guid(), fields, status, info, at);
    return { to, messageType: type, orderNo, returnStatus: status, xml: signCebMessage(xml, this.options.signingKey) };
  }

  private file(orderNo: string): Documents {
    let f = this.docs.get(orderNo);
    if (!f) this.docs.set(orderNo, (f = {}));
    return f;
  }

  private guid(): string {
    return `C0570000-0000-4000-8000-${String(++this.serial).padStart(12, '0')}`;
  }

  private invtNo(at: number): string {
    return `${this.options.customsCode ?? '2991'}${cst(at).slice(0, 4)}${String(++this.serial).padStart(10, '0')}`;
  }
}
