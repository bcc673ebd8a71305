import { z } from 'zod';
import { CUSTOMS_CODES } from '../domain/customs-codes';
import { amount, booleanString, cnyAmount, isoDateTime, optionalText, result, text } from './fields';
import { mainlandIdProblem } from '../domain/identity';

// declare and inquireDeclarationRequests (seed 003).

export const customsInfo = z.object({
  customsCode: z.enum(CUSTOMS_CODES, {
    error: `must be one of ${CUSTOMS_CODES.join(', ')} (the customs code table; other districts declare to ZONGSHU)`,
  }),
  region: z.literal('CN', { error: 'must be "CN"' }),
});

export const merchantCustomsInfo = z.object({
  merchantCustomsCode: text(128),
  merchantCustomsName: text(256),
});

export const buyerCertificate = z
  .object({
    certificateType: z.enum(['ID_CARD', 'PASSPORT'], { error: 'must be ID_CARD or PASSPORT' }),
    certificateNo: text(64),
    holderName: z.object({
      fullName: text(128),
      firstName: optionalText(64),
      lastName: optionalText(64),
    }),
  })
  .superRefine((cert, ctx) => {
    if (cert.certificateType !== 'ID_CARD') return;
    const problem = mainlandIdProblem(cert.certificateNo);
    if (problem) ctx.addIssue({ code: 'custom', path: ['certificateNo'], message: problem });
  });
export type BuyerCertificate = z.infer<typeof buyerCertificate>;

export const declareRequest = z
  .object({
    paymentRequestId: text(64),
    customsDeclarationRequestId: text(64),
    customs: customsInfo,
    merchantCustomsInfo,
    declarationAmount: cnyAmount,
    isSplit: booleanString,
    referenceOrderId: optionalText(64),
    buyerCertificate: buyerCertificate.optional(),
  })
  .superRefine((req, ctx) => {
    if (req.isSplit === 'true' && !req.referenceOrderId) {
      ctx.addIssue({ code: 'custom', path: ['referenceOrderId'], message: 'is required when isSplit is "true"' });
    }
  });
export type DeclareRequest = z.input<typeof declareRequest>;
export type ParsedDeclareRequest = z.infer<typeof declareRequest>;

/** The fields a retransmission may change; everything else must match the first request. */
export const RETRANSMIT_MUTABLE_FIELDS = [
  'merchantCustomsInfo.merchantCustomsCode',
  'merchantCustomsInfo.merchantCustomsName',
  'customs.customsCode',
  'declarationAmount',
] as const;

export const declareResponse = z.object({
  result,
  pspPaymentId: optionalText(64),
  pspDeclarationRequestId: text(64),
  pspCustomsCode: text(32),
  clearingChannel: z.enum(['CUP', 'NUCC', 'OTHER']),
  clearingTransactionId: text(64),
  pspOrderAmount: amount,
  identityCheckResult: z.enum(['CHECK_PASSED', 'CHECK_NOT_PASSED']).optional(),
});
export type DeclareResponse = z.infer<typeof declareResponse>;

export const DECLARATION_STATUSES = ['WAITING_FOR_PROCESSING', 'IN_PROCESS', 'CUSTOMS_ACCEPT_SUCCESS'] as const;
export type DeclarationStatus = (typeof DECLARATION_STATUSES)[number];

export const inquireDeclarationRequestsRequest = z.object({
  declarationRequestIds: z
    .array(text(64), { error: 'must be an array of customsDeclarationRequestIds' })
    .min(1, 'must hold at least 1 id')
    .max(10, 'must hold at most 10 ids'),
});
export type InquireDeclarationRequestsRequest = z.input<typeof inquireDeclarationRequestsRequest>;

export const declarationRecord = z.object({
  customsDeclarationRequestId: text(64),
  /** Not in Alipay+'s reference sample (docs/alipay-plus-fields.md): optional, and not read. */
  paymentRequestId: optionalText(64),
  pspPaymentId: optionalText(64),
  customs: customsInfo,
  merchantCustomsInfo,
  declarationAmount: cnyAmount,
  isSplit: booleanString,
  referenceOrderId: optionalText(64),
  pspDeclarationRequestId: optionalText(64),
  declarationRequestStatus: z.enum(DECLARATION_STATUSES),
  /** Customs' own code: 2 being declared, 3 sent, 399 finalised, 100 rejected, negative for an exception. */
  customsResultCode: z
    .string()
    .regex(/^-?\d{1,4}$/, 'must be a customs result code')
    .optional(),
  customsResultDescription: optionalText(256),
  customsResultReturnedTime: isoDateTime.optional(),
  /** Alipay+'s reference sample names it modifiedTime; the sandbox sends lastModifiedTime. */
  modifiedTime: isoDateTime.optional(),
  lastModifiedTime: isoDateTime.optional(),
});
export type DeclarationRecord = z.infer<typeof declarationRecord>;

export const inquireDeclarationRequestsResponse = z.object({
  result,
  declarationRecords: z.array(declarationRecord).default([]),
  declarationRequestsNotFound: z.array(text(64)).default([]),
});
export type InquireDeclarationRequestsResponse = z.infer<typeof inquireDeclarationRequestsResponse>;
