import { z } from 'zod';
import { appStatus, appType, companyCode, companyName, element, guid, idType, optional, text, timestamp14 } from './fields';

// Field groups that several declaration heads share. A head's z.object lists its element's children
// in the specification's order (the builder writes them in key order), so each group is spread
// where the specification has those fields together.

/** Every head starts with these: the document's guid, what the filing does (new, change, delete), when, and whether it is declared. */
export const filingFields = { guid, appType, appTime: timestamp14, appStatus };

/** The platform (ebp) and the e-commerce company (ebc): order, inventory list and return. */
export const companyFields = { ebpCode: companyCode, ebpName: companyName, ebcCode: companyCode, ebcName: companyName };

/** The carrier and its waybill: inventory list and return. */
export const carrierFields = { logisticsNo: text(60), logisticsCode: companyCode, logisticsName: companyName };

/** The buyer as the inventory list and the return name them (the order lists the same fields in another order). */
export const buyerFields = { buyerIdType: idType, buyerIdNumber: text(60), buyerName: text(60), buyerTelephone: text(30) };

/** The declaring agent: inventory list and return. */
export const agentFields = { agentCode: companyCode, agentName: companyName };

/** The free-text note that ends every head and list line. */
export const noteField = { note: optional(text(1000)) };

/** A head element: one required element named `name` with the fields of `shape`, in order. */
export function head<T extends z.core.$ZodLooseShape>(name: string, shape: T) {
  return z.object(shape, element(name));
}
