import { ApplicationFailure } from '@temporalio/activity';
import { paymentStatusOf, type AlipayPlusClient, type CustomsCode, type PayEnv } from '../alipay-plus';
import { mapFailures } from './failures';

export interface AlipayDeps {
  alipay: AlipayPlusClient;
  /** Where Alipay+ posts notifyPayment and notifyRefund: the notify receiver. */
  notifyUrl: string;
  /** Where the buyer's browser returns after paying; never trusted for the result. */
  redirectUrl: string;
}

const fen = (value: number) => ({ currency: 'CNY' as const, value: String(value) });

/** Steps 3 to 8 and refunds: the Alipay+ calls, with F, U and traffic limits mapped to Temporal retries. */
export function alipayActivities({ alipay, notifyUrl, redirectUrl }: AlipayDeps) {
  return {
    async createPayment(p: {
      paymentRequestId: string;
      orderId: string;
      amountFen: number;
      description: string;
      expiresAt: string;
      /** The buyer's terminal, as pay's `env`: it decides which links Alipay+ answers. */
      env?: PayEnv;
    }) {
      const r = await mapFailures(() =>
        alipay.pay({
          paymentRequestId: p.paymentRequestId,
          paymentAmount: fen(p.amountFen),
          order: { referenceOrderId: p.orderId, orderDescription: p.description, orderAmount: fen(p.amountFen) },
          paymentNotifyUrl: notifyUrl,
          paymentRedirectUrl: redirectUrl,
          paymentExpiryTime: p.expiresAt,
          ...(p.env && { env: p.env }),
        }),
      );
      const links = {
        ...(r.normalUrl && { normalUrl: r.normalUrl }),
        ...(r.schemeUrl && { schemeUrl: r.schemeUrl }),
        ...(r.applinkUrl && { applinkUrl: r.applinkUrl }),
        ...(r.appIdentifier && { appIdentifier: r.appIdentifier }),
      };
      // The web or H5 page when there is one, else the link that opens the app.
      const paymentUrl = r.normalUrl ?? r.applinkUrl ?? r.schemeUrl;
      if (!paymentUrl) {
        throw ApplicationFailure.create({
          type: 'NO_PAYMENT_LINK',
          message: 'pay answered no link for the buyer to pay at',
          nonRetryable: true,
        });
      }
      return { paymentId: r.paymentId, paymentUrl, links };
    },

    async inquirePayment(p: { paymentRequestId: string }) {
      const r = await mapFailures(() => alipay.inquiryPayment(p));
      return {
        status: paymentStatusOf(r),
        paymentId: r.paymentId,
        paymentAmountFen: Number(r.paymentAmount.value),
        paymentTime: r.paymentTime,
        customsDeclarationFen: r.customsDeclarationAmount ? Number(r.customsDeclarationAmount.value) : undefined,
        settlementQuote: r.settlementQuote,
      };
    },

    async cancelPayment(p: { paymentRequestId: string }) {
      await mapFailures(() => alipay.cancelPayment(p));
    },

    async refundPayment(p: { refundRequestId: string; paymentRequestId: string; amountFen: number; reason: string }) {
      const r = await mapFailures(() =>
        alipay.refund({
          refundRequestId: p.refundRequestId,
          paymentRequestId: p.paymentRequestId,
          refundAmount: fen(p.amountFen),
          refundReason: p.reason,
          refundNotifyUrl: notifyUrl,
        }),
      );
      return { refundId: r.refundId, refundTime: r.refundTime };
    },

    /** A refund's status: PROCESSING until Alipay+ processed it, then SUCCESS or FAIL. */
    async inquireRefund(p: { refundRequestId: string }) {
      const r = await mapFailures(() => alipay.inquiryRefund(p));
      return { status: r.refundStatus, refundId: r.refundId, refundAmountFen: Number(r.refundAmount.value), refundTime: r.refundTime };
    },

    async declare(d: {
      paymentRequestId: string;
      declarationId: string;
      customsCode: CustomsCode;
      merchantCustomsCode: string;
      merchantCustomsName: string;
      amountFen: number;
      isSplit: boolean;
      referenceOrderId?: string;
      buyer?: { fullName: string; certificateType: 'ID_CARD' | 'PASSPORT'; certificateNo: string };
    }) {
      const r = await mapFailures(() =>
        alipay.declare({
          paymentRequestId: d.paymentRequestId,
          customsDeclarationRequestId: d.declarationId,
          customs: { customsCode: d.customsCode, region: 'CN' },
          merchantCustomsInfo: { merchantCustomsCode: d.merchantCustomsCode, merchantCustomsName: d.merchantCustomsName },
          declarationAmount: fen(d.amountFen),
          isSplit: d.isSplit ? 'true' : 'false',
          ...(d.referenceOrderId && { referenceOrderId: d.referenceOrderId }),
          ...(d.buyer && {
            buyerCertificate: {
              certificateType: d.buyer.certificateType,
              certificateNo: d.buyer.certificateNo,
              holderName: { fullName: d.buyer.fullName },
            },
          }),
        }),
      );
      return { pspDeclarationRequestId: r.pspDeclarationRequestId, identityCheckResult: r.identityCheckResult };
    },

    async inquireDeclarations(p: { declarationIds: string[] }) {
      const r = await mapFailures(() => alipay.inquireDeclarationRequests({ declarationRequestIds: p.declarationIds }));
      return {
        records: r.declarationRecords.map((rec) => ({
          declarationId: rec.customsDeclarationRequestId,
          status: rec.declarationRequestStatus,
          customsResultCode: rec.customsResultCode,
          customsResultDescription: rec.customsResultDescription,
          // When customs answered, to tell an answer to an earlier transmission from one to the last.
          resultAt: rec.customsResultReturnedTime ?? rec.modifiedTime ?? rec.lastModifiedTime,
        })),
        notFound: r.declarationRequestsNotFound,
      };
    },
  };
}
