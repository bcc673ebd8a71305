import { lineTotalFen, type Ceb625, type InventoryListItem } from '../../eport/ceb';

// A return (CEB625) is accepted when it names a released list, comes within 30 days of the
// release (海关总署公告2018年第194号, see docs/customs.md), and returns lines and quantities that
// were released. The value returned is what the buyer's annual total is adjusted by.

export const RETURN_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

export interface ReleasedList {
  invtNo: string;
  releasedAt?: number;
  lines: readonly InventoryListItem[];
}

export function checkReturn(refund: Ceb625, released: ReleasedList | undefined, at: number): { problems: string[]; valueFen: number } {
  const h = refund.InvtRefund.InvtRefundHead;
  const problems: string[] = [];
  if (!released || released.invtNo !== h.invtNo) problems.push(`no inventory list ${h.invtNo} for order ${h.orderNo}`);
  else if (released.releasedAt === undefined) problems.push(`list ${h.invtNo} was not released`);
  else if (at - released.releasedAt > RETURN_WINDOW_MS) problems.push('the goods come back more than 30 days after release');
  let valueFen = 0;
  for (const line of refund.InvtRefund.InvtRefundList) {
    const declared = released?.lines.find((l) => l.gnum === line.gnum);
    if (!declared) problems.push(`line ${line.gnum} is not on the released list`);
    else if (Number(line.qty) > Number(declared.qty)) problems.push(`line ${line.gnum} returns more than was released`);
    else valueFen += lineTotalFen(declared.price, line.qty);
  }
  return { problems, valueFen };
}
