import type { EPortClient, OrderDocumentInput } from '../eport/client';
import { mapFailures } from './failures';

export interface EPortDeps {
  eport: EPortClient;
}

/** Step 9: the merchant's side of the three-document match at the customs e-port. */
export function eportActivities({ eport }: EPortDeps) {
  return {
    async submitOrderDocument(doc: OrderDocumentInput) {
      await mapFailures(() => eport.submitOrderDocument(doc));
    },

    async submitWaybill(w: { orderNo: string; waybillNo: string; carrier: string }) {
      await mapFailures(() => eport.submitWaybill(w));
    },

    async inquireClearance(p: { orderNo: string }) {
      const r = await mapFailures(() => eport.clearance(p.orderNo));
      return { status: r.status, reason: r.reason, missingDocuments: r.missingDocuments };
    },
  };
}
