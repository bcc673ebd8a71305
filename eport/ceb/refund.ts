import { z } from 'zod';
import { customsCode, decimal, fixed, hsCode, optional, text, unitCode, whole } from './fields';
import { agentFields, buyerFields, carrierFields, companyFields, filingFields, head, noteField } from './heads';
import { crossFieldIssue, declaration, declarationCodec } from './message';

// CEB625, the return declaration (退货申请单, "refund declaration" in issue 13): the e-commerce
// company or its agent declares that released goods come back, naming the released list (invtNo)
// and the goods and quantities returned. Its receipt is CEB626.

export const invtRefundHeadSchema = head('InvtRefundHead', {
  ...filingFields,
  customsCode,
  orderNo: text(60),
  ...companyFields,
  ...carrierFields,
  copNo: optional(text(20)),
  preNo: optional(fixed(18)),
  /** The released inventory list the goods were declared on. */
  invtNo: fixed(18),
  ...buyerFields,
  ...agentFields,
  /** Why the goods are returned. */
  reason: text(1000),
  ...noteField,
});
export type InvtRefundHead = z.output<typeof invtRefundHeadSchema>;

export const invtRefundListSchema = z.object({
  /** The line number (gnum) of the goods on the released inventory list. */
  gnum: whole(4),
  gcode: hsCode,
  gname: text(250),
  qty: decimal(19, 5),
  unit: unitCode,
  ...noteField,
});
export type InvtRefundListItem = z.output<typeof invtRefundListSchema>;

export const CEB625 = declaration(
  'CEB625Message',
  'InvtRefund',
  { name: 'InvtRefundHead', schema: invtRefundHeadSchema },
  { name: 'InvtRefundList', schema: invtRefundListSchema },
  (m, ctx) => {
    // A return names lines of the released list, so gnum need not run 1, 2, 3; it must not repeat.
    const seen = new Set<number>();
    m.InvtRefund.InvtRefundList.forEach((line, i) => {
      if (seen.has(line.gnum)) crossFieldIssue(ctx, ['InvtRefund', 'InvtRefundList', i, 'gnum'], 'must not repeat');
      seen.add(line.gnum);
    });
  },
);
export const ceb625Schema = CEB625.schema;
export type Ceb625 = z.output<typeof ceb625Schema>;
export type Ceb625Input = z.input<typeof ceb625Schema>;

export const { build: buildCeb625, parse: parseCeb625 } = declarationCodec(CEB625);
