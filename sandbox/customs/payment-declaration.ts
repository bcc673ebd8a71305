// What the payment company declares to customs for one order (its CEB411), as the engine takes it and the
// receipts echo it back: a module of its own, which engine.ts and receipts.ts both import.

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
