import type { z } from 'zod';
import * as customs from './customs';
import * as payments from './payments';
import * as refunds from './refunds';

// The Alipay+ endpoints the orchestrator calls. The client and the sandbox share this table.

export interface ApiDefinition<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  name: string;
  path: string;
  request: Req;
  response: Res;
}

function api<Req extends z.ZodType, Res extends z.ZodType>(name: string, path: string, request: Req, response: Res) {
  return { name, path, request, response } satisfies ApiDefinition<Req, Res>;
}

export const APIS = {
  pay: api('pay', '/aps/api/v1/payments/pay', payments.payRequest, payments.payResponse),
  inquiryPayment: api(
    'inquiryPayment',
    '/aps/api/v1/payments/inquiryPayment',
    payments.inquiryPaymentRequest,
    payments.inquiryPaymentResponse,
  ),
  cancelPayment: api('cancelPayment', '/aps/api/v1/payments/cancelPayment', payments.cancelPaymentRequest, payments.cancelPaymentResponse),
  refund: api('refund', '/aps/api/v1/payments/refund', payments.refundRequest, payments.refundResponse),
  inquiryRefund: api('inquiryRefund', '/aps/api/v1/payments/inquiryRefund', refunds.inquiryRefundRequest, refunds.inquiryRefundResponse),
  declare: api('declare', '/aps/api/v1/customs/declare', customs.declareRequest, customs.declareResponse),
  inquireDeclarationRequests: api(
    'inquireDeclarationRequests',
    '/aps/api/v1/customs/inquireDeclarationRequests',
    customs.inquireDeclarationRequestsRequest,
    customs.inquireDeclarationRequestsResponse,
  ),
} as const;

export type ApiName = keyof typeof APIS;
