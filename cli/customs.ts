import type { Client } from '@temporalio/client';
import { InvalidArgumentError, type Command } from 'commander';
import { correctCustomsDocument, giveUpReturn, returnGoods } from '../client/orders';
import type { ItemCustomsCorrection } from '../domain/customs-filing';
import { formatCny } from '../domain/limits';
import type { CustomsOrderView, OrderStatus } from '../domain/order-api';
import { BY_DEFAULT } from './operator';

// `orders correct-customs` and `orders return-goods`: the operator's side of steps 9 and 10 on the
// e-port's messages. The order's validators check every value again and name the rule a value breaks.

type AsOperator = <T>(by: string | undefined, fn: (client: Client, operator: string) => Promise<T>) => Promise<T>;

const FIELDS = ['hsCode', 'originCountry', 'unit'] as const;

/** `--item SKU:hsCode=0402210000,originCountry=116`: one item's corrected customs fields. */
export function parseItemCorrection(value: string, previous: ItemCustomsCorrection[] = []): ItemCustomsCorrection[] {
  const [sku, fields] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
  if (!value.includes(':') || !sku) throw new InvalidArgumentError('write SKU:field=value[,field=value], e.g. MILK-900:hsCode=0402210000');
  const item: ItemCustomsCorrection = { sku };
  for (const pair of fields.split(',')) {
    const [field, v] = pair.split('=');
    if (!FIELDS.includes(field as (typeof FIELDS)[number]) || !v) {
      throw new InvalidArgumentError(`${pair}: the fields are ${FIELDS.join(', ')}, each field=value`);
    }
    item[field as (typeof FIELDS)[number]] = v;
  }
  return [...previous, item];
}

/** `--line SKU:2`: a returned quantity of one sku, in digits (Number() would read "1e3"), from 1 (RETURN_LINES). */
export function parseReturnLine(value: string, previous: { sku: string; quantity: number }[] = []) {
  const m = /^(.+):([1-9]\d{0,3})$/.exec(value);
  if (!m) throw new InvalidArgumentError('RETURN_LINES: write SKU:quantity, a whole number of units from 1 to 9999, e.g. MILK-900:1');
  return [...previous, { sku: m[1], quantity: Number(m[2]) }];
}

export function customsLines(st: OrderStatus): string[] {
  const doc = (name: string, d: CustomsOrderView['order']) =>
    `${name} ${d.filedAt ? (d.returnStatus ?? 'awaiting receipt') : 'not filed'}${d.returnInfo ? ` "${d.returnInfo}"` : ''}`;
  return [
    ...(st.customs ?? []).map(
      (c) =>
        `  customs ${c.orderNo}: ${c.state}${c.invtNo ? ` (list ${c.invtNo})` : ''}; ` +
        [doc('order', c.order), doc('waybill', c.waybill), doc('inventory', c.inventory)].join(', ') +
        (c.releasedAt ? `; released ${c.releasedAt}` : ''),
    ),
    ...(st.returns ?? []).map(
      (r) =>
        `  return ${r.returnId} (${r.lines.map((l) => `${l.sku} x${l.quantity}`).join(', ')}): ${r.status}, refund ${formatCny(r.refundFen)}` +
        (r.refundCappedFromFen !== undefined ? ` (capped: the goods were worth ${formatCny(r.refundCappedFromFen)})` : '') +
        (r.quotaGivenBack ? `, ${formatCny(r.quotaFen)} of quota given back` : '') +
        (r.givenUp ? `; given up by ${r.givenUp.by}: ${r.givenUp.reason}` : ''),
    ),
  ];
}

export function addCustomsCommands(program: Command, asOperator: AsOperator) {
  program
    .command('correct-customs <orderId>')
    .description('file the customs documents customs refused again (the order is stuck with CUSTOMS_DOCUMENT_REJECTED)')
    .option('--customs-order <orderNo>', 'the customs order (a split part); default the order itself')
    .option(
      '--item <SKU:field=value,...>',
      'a corrected customs field of an item: hsCode, originCountry, unit (repeatable)',
      parseItemCorrection,
    )
    .option('--by <operator>', `who corrects it ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'what was corrected')
    .action((orderId: string, o: { customsOrder?: string; item?: ItemCustomsCorrection[]; by?: string; reason: string }) =>
      asOperator(o.by, async (client, by) => {
        const c = await correctCustomsDocument(client, orderId, {
          orderNo: o.customsOrder ?? orderId,
          operator: by,
          reason: o.reason,
          ...(o.item && { items: o.item }),
        });
        console.log(`customs order ${c.orderNo}: corrected; its refused documents are filed again`);
      }),
    );

  program
    .command('return-goods <orderId>')
    .description('file a return (CEB625) of goods that came back within 30 days of release; then the buyer is refunded')
    .requiredOption('--line <SKU:quantity>', 'a returned quantity (repeatable)', parseReturnLine)
    .option('--customs-order <orderNo>', 'the customs order (a split part)')
    .option('--by <operator>', `who files it ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why the goods came back')
    .action((orderId: string, o: { line: { sku: string; quantity: number }[]; customsOrder?: string; by?: string; reason: string }) =>
      asOperator(o.by, async (client, by) => {
        const r = await returnGoods(client, orderId, {
          operator: by,
          reason: o.reason,
          lines: o.line,
          ...(o.customsOrder && { orderNo: o.customsOrder }),
        });
        console.log(`return ${r.returnId}: ${r.status}; ${formatCny(r.refundFen)} is refunded once customs accepts it`);
        if (r.refundCappedFromFen !== undefined) {
          console.log(`  capped at what is left to refund: the goods and their tax were worth ${formatCny(r.refundCappedFromFen)}`);
        }
      }),
    );

  program
    .command('give-up-return <orderId> <returnId>')
    .description('give up a return customs has not answered past its deadline (RETURN_RECEIPT_DEADLINE): no refund, no quota back')
    .option('--by <operator>', `who gives it up ${BY_DEFAULT}`)
    .requiredOption('--reason <reason>', 'why')
    .action((orderId: string, returnId: string, o: { by?: string; reason: string }) =>
      asOperator(o.by, async (client, by) => {
        const r = await giveUpReturn(client, orderId, { returnId, operator: by, reason: o.reason });
        console.log(`return ${r.returnId}: ${r.status}; its ${formatCny(r.refundFen)} is refundable again`);
      }),
    );
}
