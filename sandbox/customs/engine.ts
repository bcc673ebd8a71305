import type { KeyLike } from 'node:crypto';
import {
  buildCeb312,
  buildCeb411,
  buildCeb412,
  buildCeb512,
  buildCeb622,
  buildCeb626,
  CebSignatureError,
  CebValidationError,
  CebXmlRefused,
  lineTotalFen,
  messageTypeOf,
  parseCeb311,
  parseCeb511,
  parseCeb621,
  parseCeb625,
  signCebMessage,
  verifyCebMessage,
  type Ceb621,
  type Ceb625,
  type SigningKey,
} from '../../eport/ceb';
import type { Outgoing } from './delivery';
import { matchProblems, type Documents } from './documents';
import { stepsOf, type InventoryPath, type PathStep } from './paths';

// The sandbox's customs, as a pure state machine: signed filings in, signed receipts out. Time is
// passed in (`at`, epoch ms) and nothing is sent: the caller delivers the receipts (delivery.ts).

export const RETURN_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

export interface PaymentDeclaration {
  orderNo: string;
  payCode: string;
  payName: string;
  payTransactionId: string;
  amountPaidFen: number;
  payer: { idType: '1' | '2'; idNumber: string; name: string };
  ebpCode: string;
  ebpName: string;
}

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
  private readonly docs = new Map<string, Documents & { orderTo?: string }>();
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
    const head = {
      guid: this.guid(),
      appType: '1',
      appTime: cst(at),
      appStatus: '2',
      payCode: d.payCode,
      payName: d.payName,
      payTransactionId: d.payTransactionId,
      orderNo: d.orderNo,
      ebpCode: d.ebpCode,
      ebpName: d.ebpName,
      payerIdType: d.payer.idType,
      payerIdNumber: d.payer.idNumber,
      payerName: d.payer.name,
      amountPaid: d.amountPaidFen,
      currency: '142',
      payTime: cst(at),
    } as const;
    // Built through the schema, so a declaration that breaks a field rule fails here.
    buildCeb411({
      guid: this.guid(),
      version: '1.0',
      Payment: { PaymentHead: head },
      BaseTransfer: { copCode: d.payCode, copName: d.payName, dxpMode: 'DXP', dxpId: 'DXPENTALIPAY0001' },
    });
    this.file(d.orderNo).payment = { ...head, telephone: undefined, note: undefined };
    const receipt = buildCeb412({
      guid: this.guid(),
      version: '1.0',
      PaymentReturn: [
        {
          guid: head.guid,
          payCode: d.payCode,
          payTransactionId: d.payTransactionId,
          returnStatus: '120',
          returnTime: cst(at),
          returnInfo: 'stored',
        },
      ],
    });
    return [this.out(d.payCode, 'CEB412Message', d.orderNo, '120', receipt)];
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

  private onOrder(m: ReturnType<typeof parseCeb311>, from: string, at: number): ReceiveResult {
    const h = m.Order.OrderHead;
    const file = this.file(h.orderNo);
    const duplicate = file.order && h.appType === '1';
    if (!duplicate) Object.assign(file, { order: h, orderTo: from });
    const [status, info] = duplicate ? ['100', `order ${h.orderNo} was already filed; file a change (appType 2)`] : ['120', 'stored'];
    const xml = buildCeb312({
      guid: this.guid(),
      version: '1.0',
      OrderReturn: [
        {
          guid: h.guid,
          ebpCode: h.ebpCode,
          ebcCode: h.ebcCode,
          orderNo: h.orderNo,
          returnStatus: status,
          returnTime: cst(at),
          returnInfo: info,
        },
      ],
    });
    return { accepted: true, receipts: [this.out(from, 'CEB312Message', h.orderNo, status, xml)] };
  }

  private onWaybill(m: ReturnType<typeof parseCeb511>, from: string, at: number): ReceiveResult {
    const h = m.Logistics.LogisticsHead;
    this.file(h.orderNo).waybill = h;
    const xml = buildCeb512({
      guid: this.guid(),
      version: '1.0',
      LogisticsReturn: [
        {
          guid: h.guid,
          logisticsCode: h.logisticsCode,
          logisticsNo: h.logisticsNo,
          returnStatus: '120',
          returnTime: cst(at),
          returnInfo: 'stored',
        },
      ],
    });
    return { accepted: true, receipts: [this.out(from, 'CEB512Message', h.orderNo, '120', xml)] };
  }

  private onInventory(m: Ceb621, from: string, at: number): ReceiveResult {
    const { InventoryHead: head, InventoryList: lines } = m.Inventory;
    const current = this.inventories.get(head.orderNo);
    const attempt = this.attempts.get(head.orderNo) ?? 0;
    const inv: InventoryFile = {
      list: m.Inventory,
      to: from,
      steps: [],
      next: 0,
      status: '120',
      invtNo: this.invtNo(at),
      preNo: `B${cst(at).slice(0, 8)}${String(++this.serial).padStart(9, '0')}`,
    };
    if (current && current.status !== '100') {
      return {
        accepted: true,
        receipts: [
          this.inventoryReceipt(
            head.orderNo,
            { ...inv, status: '-621001' },
            '-621001',
            `a list for order ${head.orderNo} is already being processed`,
            at,
          ),
        ],
      };
    }
    this.attempts.set(head.orderNo, attempt + 1);
    this.inventories.set(head.orderNo, inv);
    const problems = matchProblems(this.docs.get(head.orderNo) ?? {}, head, lines);
    if (problems.length > 0) {
      inv.status = '100';
      return {
        accepted: true,
        receipts: [this.inventoryReceipt(head.orderNo, inv, '100', `three-document match failed: ${problems.join('; ')}`, at)],
      };
    }
    inv.steps = stepsOf(this.options.pathFor(head.orderNo, attempt));
    return { accepted: true, receipts: [this.inventoryReceipt(head.orderNo, inv, '120', 'stored', at)] };
  }

  private onReturn(m: Ceb625, from: string, at: number): ReceiveResult {
    const h = m.InvtRefund.InvtRefundHead;
    const inv = this.inventories.get(h.orderNo);
    const problems: string[] = [];
    if (!inv || inv.invtNo !== h.invtNo) problems.push(`no inventory list ${h.invtNo} for order ${h.orderNo}`);
    else if (inv.releasedAt === undefined) problems.push(`list ${h.invtNo} was not released`);
    else if (at - inv.releasedAt > RETURN_WINDOW_MS) problems.push('the goods come back more than 30 days after release');
    let value = 0;
    for (const line of m.InvtRefund.InvtRefundList) {
      const released = inv?.list.InventoryList.find((l) => l.gnum === line.gnum);
      if (!released) problems.push(`line ${line.gnum} is not on the released list`);
      else if (Number(line.qty) > Number(released.qty)) problems.push(`line ${line.gnum} returns more than was released`);
      else value += lineTotalFen(released.price, line.qty);
    }
    const statuses: [string, string][] =
      problems.length > 0
        ? [['100', problems.join('; ')]]
        : [
            ['120', 'stored'],
            ['399', 'return accepted'],
          ];
    if (problems.length === 0) this.returned.set(h.orderNo, this.returnedValueFen(h.orderNo) + value);
    const receipts = statuses.map(([status, info]) => {
      const xml = buildCeb626({
        guid: this.guid(),
        version: '1.0',
        InvtRefundReturn: [
          {
            guid: h.guid,
            customsCode: h.customsCode,
            ebpCode: h.ebpCode,
            ebcCode: h.ebcCode,
            agentCode: h.agentCode,
            invtNo: h.invtNo,
            returnStatus: status,
            returnTime: cst(at),
            returnInfo: info,
          },
        ],
      });
      return this.out(from, 'CEB626Message', h.orderNo, status, xml);
    });
    return { accepted: true, receipts };
  }

  private inventoryReceipt(orderNo: string, inv: InventoryFile, status: string, info: string, at: number): Outgoing {
    const h = inv.list.InventoryHead;
    const xml = buildCeb622({
      guid: this.guid(),
      version: '1.0',
      InventoryReturn: [
        {
          guid: h.guid,
          customsCode: h.customsCode,
          ebpCode: h.ebpCode,
          ebcCode: h.ebcCode,
          agentCode: h.agentCode,
          copNo: h.copNo,
          preNo: inv.preNo,
          invtNo: status === '100' || status.startsWith('-') ? undefined : inv.invtNo,
          returnStatus: status,
          returnTime: cst(at),
          returnInfo: info,
        },
      ],
    });
    return this.out(inv.to, 'CEB622Message', orderNo, status, xml);
  }

  private out(to: string, messageType: string, orderNo: string, returnStatus: string, xml: string): Outgoing {
    return { to, messageType, orderNo, returnStatus, xml: signCebMessage(xml, this.options.signingKey) };
  }

  private file(orderNo: string) {
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

/** YYYYMMDDhhmmss in China Standard Time. */
export function cst(at: number): string {
  return new Date(at + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
