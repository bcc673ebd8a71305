import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { ALIPAY_CN_REGISTRATION_ID, CUSTOMS_CODES, customsCodeForDistrict, isCustomsRejection } from '../../domain/customs-codes';
import {
  declareRequest,
  declareResponse,
  inquireDeclarationRequestsRequest,
  inquireDeclarationRequestsResponse,
} from '../../alipay-plus/customs';
import {
  inquiryPaymentResponse,
  notifiedPaymentResult,
  notifyPaymentAck,
  notifyPaymentRequest,
  payRequest,
  paymentStatusOf,
} from '../../alipay-plus/payments';
import { MessageValidationError, parseMessage } from '../../alipay-plus/validation';

// Each rule of domain.md: one message that passes, one that breaks it, and the error must name the field and the rule.

/** Asserts that parsing fails with a MessageValidationError whose problems and text name `field` and a rule matching `rule`. */
function expectRejected(schema: z.ZodType, data: unknown, messageName: string, field: string, rule: RegExp): MessageValidationError {
  let caught: unknown;
  try {
    parseMessage(schema, data, messageName);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof MessageValidationError, `expected a MessageValidationError, got ${String(caught)}`);
  assert.equal(caught.messageName, messageName);
  const problem = caught.problems.find((p) => p.field === field);
  assert.ok(problem, `no problem at field "${field}"; problems: ${JSON.stringify(caught.problems)}`);
  assert.match(problem.rule, rule);
  assert.ok(caught.message.startsWith(`${messageName} is invalid: `), caught.message);
  assert.ok(caught.message.includes(`${field} ${problem.rule}`), `message does not name "${field}" and its rule: ${caught.message}`);
  return caught;
}

const validDeclare = () => ({
  paymentRequestId: 'PAY-20261121-0001',
  customsDeclarationRequestId: 'DECL-20261121-0001',
  customs: { customsCode: 'ZONGSHU', region: 'CN' },
  merchantCustomsInfo: { merchantCustomsCode: '3301964J31', merchantCustomsName: 'Example Cross-border Shop' },
  declarationAmount: { currency: 'CNY', value: '12500' },
  isSplit: 'false',
});

const declare = (data: unknown) => parseMessage(declareRequest, data, 'declare request');
const rejectDeclare = (data: unknown, field: string, rule: RegExp) => expectRejected(declareRequest, data, 'declare request', field, rule);

describe('declare: maximum lengths', () => {
  for (const field of ['paymentRequestId', 'customsDeclarationRequestId'] as const) {
    test(`${field}: 64 characters accepted, 65 rejected`, () => {
      assert.equal(declare({ ...validDeclare(), [field]: 'a'.repeat(64) })[field], 'a'.repeat(64));
      rejectDeclare({ ...validDeclare(), [field]: 'a'.repeat(65) }, field, /^must be at most 64 characters$/);
    });

    test(`${field}: required`, () => {
      const body: Record<string, unknown> = validDeclare();
      delete body[field];
      rejectDeclare(body, field, /^is required$/);
    });
  }

  test('referenceOrderId: 64 characters accepted, 65 rejected', () => {
    const split = { ...validDeclare(), isSplit: 'true' };
    assert.equal(declare({ ...split, referenceOrderId: 'r'.repeat(64) }).referenceOrderId, 'r'.repeat(64));
    rejectDeclare({ ...split, referenceOrderId: 'r'.repeat(65) }, 'referenceOrderId', /^must be at most 64 characters$/);
  });

  test('pay: paymentRequestId 64 accepted, 65 rejected', () => {
    assert.equal(parseMessage(payRequest, { ...validPay(), paymentRequestId: 'p'.repeat(64) }, 'pay request').paymentRequestId.length, 64);
    expectRejected(
      payRequest,
      { ...validPay(), paymentRequestId: 'p'.repeat(65) },
      'pay request',
      'paymentRequestId',
      /at most 64 characters/,
    );
  });
});

describe('scalars travel as strings', () => {
  test('isSplit "true" and "false" are accepted as they are', () => {
    assert.equal(declare({ ...validDeclare(), isSplit: 'false' }).isSplit, 'false');
    assert.equal(declare({ ...validDeclare(), isSplit: 'true', referenceOrderId: 'ORDER-1' }).isSplit, 'true');
  });

  test('JSON booleans are accepted and normalized to the strings "true" / "false"', () => {
    const t = declare({ ...validDeclare(), isSplit: true, referenceOrderId: 'ORDER-1' });
    assert.equal(t.isSplit, 'true');
    assert.equal(typeof t.isSplit, 'string');
    const f = declare({ ...validDeclare(), isSplit: false });
    assert.equal(f.isSplit, 'false');
    assert.equal(typeof f.isSplit, 'string');
    // The normalized value is what goes on the wire.
    assert.match(JSON.stringify(f), /"isSplit":"false"/);
  });

  test('isSplit as a number or another word is rejected', () => {
    rejectDeclare({ ...validDeclare(), isSplit: 1 }, 'isSplit', /must be "true" or "false"/);
    rejectDeclare({ ...validDeclare(), isSplit: 'yes' }, 'isSplit', /must be "true" or "false"/);
    rejectDeclare({ ...validDeclare(), isSplit: 'TRUE' }, 'isSplit', /must be "true" or "false"/);
  });

  test('an amount value as a JSON number is rejected; as a string it is accepted unchanged', () => {
    assert.deepEqual(declare(validDeclare()).declarationAmount, { currency: 'CNY', value: '12500' });
    rejectDeclare(
      { ...validDeclare(), declarationAmount: { currency: 'CNY', value: 12500 } },
      'declarationAmount.value',
      /must be a string/,
    );
  });

  test('an amount value that is not whole fen is rejected ("12.50", "-1", "01", "1e3")', () => {
    for (const value of ['12.50', '-1', '01', '1e3', '', ' 1']) {
      rejectDeclare(
        { ...validDeclare(), declarationAmount: { currency: 'CNY', value } },
        'declarationAmount.value',
        /whole number of the smallest currency unit \(fen for CNY\)/,
      );
    }
    assert.equal(declare({ ...validDeclare(), declarationAmount: { currency: 'CNY', value: '0' } }).declarationAmount.value, '0');
  });
});

describe('declaration amounts are CNY only', () => {
  test('CNY accepted, USD rejected with a message naming CNY', () => {
    assert.equal(declare(validDeclare()).declarationAmount.currency, 'CNY');
    const error = rejectDeclare(
      { ...validDeclare(), declarationAmount: { currency: 'USD', value: '12500' } },
      'declarationAmount.currency',
      /CNY/,
    );
    assert.match(error.message, /declarationAmount\.currency must be "CNY"/);
  });

  test('lowercase cny is rejected too', () => {
    rejectDeclare({ ...validDeclare(), declarationAmount: { currency: 'cny', value: '1' } }, 'declarationAmount.currency', /CNY/);
  });
});

describe('referenceOrderId is required when isSplit is true', () => {
  test('isSplit "true" without referenceOrderId is rejected at referenceOrderId', () => {
    rejectDeclare({ ...validDeclare(), isSplit: 'true' }, 'referenceOrderId', /required when isSplit is "true"/);
  });

  test('isSplit JSON true without referenceOrderId is rejected the same way', () => {
    rejectDeclare({ ...validDeclare(), isSplit: true }, 'referenceOrderId', /required when isSplit is "true"/);
  });

  test('isSplit "true" with referenceOrderId is accepted', () => {
    assert.equal(declare({ ...validDeclare(), isSplit: 'true', referenceOrderId: 'ORDER-1' }).referenceOrderId, 'ORDER-1');
  });

  test('isSplit "false" without referenceOrderId is accepted', () => {
    const parsed = declare({ ...validDeclare(), isSplit: 'false' });
    assert.equal(parsed.referenceOrderId, undefined);
  });
});

describe('customs code table', () => {
  test('the table is exactly ZONGSHU, ZHENGZHOU, NINGBO, SHANGHAI_CBT', () => {
    assert.deepEqual([...CUSTOMS_CODES], ['ZONGSHU', 'ZHENGZHOU', 'NINGBO', 'SHANGHAI_CBT']);
    assert.equal(ALIPAY_CN_REGISTRATION_ID, '31222699S7');
  });

  for (const code of ['ZONGSHU', 'ZHENGZHOU', 'NINGBO', 'SHANGHAI_CBT']) {
    test(`${code} is accepted`, () => {
      assert.equal(declare({ ...validDeclare(), customs: { customsCode: code, region: 'CN' } }).customs.customsCode, code);
    });
  }

  test('HANGZHOU (not in the table) is rejected, naming the table and the ZONGSHU fallback', () => {
    const error = rejectDeclare(
      { ...validDeclare(), customs: { customsCode: 'HANGZHOU', region: 'CN' } },
      'customs.customsCode',
      /must be one of ZONGSHU, ZHENGZHOU, NINGBO, SHANGHAI_CBT/,
    );
    assert.match(error.message, /declare to ZONGSHU/);
  });

  test('the wire value is exact: lowercase "ningbo" is rejected', () => {
    rejectDeclare({ ...validDeclare(), customs: { customsCode: 'ningbo', region: 'CN' } }, 'customs.customsCode', /must be one of/);
  });

  test('region must be CN', () => {
    rejectDeclare({ ...validDeclare(), customs: { customsCode: 'ZONGSHU', region: 'HK' } }, 'customs.region', /must be "CN"/);
  });

  test('customsCodeForDistrict maps table districts to themselves and the rest to ZONGSHU', () => {
    assert.equal(customsCodeForDistrict('Hangzhou'), 'ZONGSHU');
    assert.equal(customsCodeForDistrict('Guangzhou'), 'ZONGSHU');
    assert.equal(customsCodeForDistrict('Tianjin'), 'ZONGSHU');
    assert.equal(customsCodeForDistrict('ningbo'), 'NINGBO');
    assert.equal(customsCodeForDistrict(' Zhengzhou '), 'ZHENGZHOU');
    assert.equal(customsCodeForDistrict('shanghai_cbt'), 'SHANGHAI_CBT');
    assert.equal(customsCodeForDistrict('Shanghai'), 'SHANGHAI_CBT');
    assert.equal(customsCodeForDistrict('Henan'), 'ZHENGZHOU');
    assert.equal(customsCodeForDistrict('ZONGSHU'), 'ZONGSHU');
  });
});

describe('buyerCertificate', () => {
  // GB 11643's own example number; its check character is X (verified independently in identity.test.ts).
  const validId = '11010519491231002X';
  const cert = (certificateType: string, certificateNo: string) => ({
    certificateType,
    certificateNo,
    holderName: { fullName: 'Zhang San' },
  });

  test('an ID_CARD with a valid GB 11643 number is accepted', () => {
    assert.equal(declare({ ...validDeclare(), buyerCertificate: cert('ID_CARD', validId) }).buyerCertificate?.certificateNo, validId);
  });

  test('an ID_CARD with a bad check digit is rejected at buyerCertificate.certificateNo', () => {
    rejectDeclare(
      { ...validDeclare(), buyerCertificate: cert('ID_CARD', '110105194912310021') },
      'buyerCertificate.certificateNo',
      /wrong check digit \(GB 11643\)/,
    );
  });

  test('an ID_CARD of the wrong shape is rejected at buyerCertificate.certificateNo', () => {
    rejectDeclare(
      { ...validDeclare(), buyerCertificate: cert('ID_CARD', '11010519491231002x') },
      'buyerCertificate.certificateNo',
      /GB 11643/,
    );
  });

  test('a PASSPORT number is not checked against GB 11643', () => {
    assert.equal(
      declare({ ...validDeclare(), buyerCertificate: cert('PASSPORT', 'E12345678') }).buyerCertificate?.certificateType,
      'PASSPORT',
    );
  });

  test('another certificate type is rejected', () => {
    rejectDeclare(
      { ...validDeclare(), buyerCertificate: cert('DRIVING_LICENSE', 'X1') },
      'buyerCertificate.certificateType',
      /must be ID_CARD or PASSPORT/,
    );
  });

  test('the holder name is required', () => {
    rejectDeclare(
      { ...validDeclare(), buyerCertificate: { certificateType: 'PASSPORT', certificateNo: 'E1', holderName: {} } },
      'buyerCertificate.holderName.fullName',
      /is required/,
    );
  });
});

describe('inquireDeclarationRequests: 1 to 10 ids', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `DECL-${i}`);
  const inquire = (data: unknown) => parseMessage(inquireDeclarationRequestsRequest, data, 'inquireDeclarationRequests request');

  test('1 and 10 ids are accepted', () => {
    assert.deepEqual(inquire({ declarationRequestIds: ids(1) }).declarationRequestIds, ['DECL-0']);
    assert.equal(inquire({ declarationRequestIds: ids(10) }).declarationRequestIds.length, 10);
  });

  test('0 ids are rejected', () => {
    expectRejected(
      inquireDeclarationRequestsRequest,
      { declarationRequestIds: [] },
      'inquireDeclarationRequests request',
      'declarationRequestIds',
      /at least 1/,
    );
  });

  test('11 ids are rejected', () => {
    expectRejected(
      inquireDeclarationRequestsRequest,
      { declarationRequestIds: ids(11) },
      'inquireDeclarationRequests request',
      'declarationRequestIds',
      /at most 10/,
    );
  });

  test('a single string instead of an array is rejected', () => {
    expectRejected(
      inquireDeclarationRequestsRequest,
      { declarationRequestIds: 'DECL-0' },
      'inquireDeclarationRequests request',
      'declarationRequestIds',
      /must be an array/,
    );
  });

  test('an id longer than 64 characters is rejected at its index', () => {
    expectRejected(
      inquireDeclarationRequestsRequest,
      { declarationRequestIds: ['ok', 'x'.repeat(65)] },
      'inquireDeclarationRequests request',
      'declarationRequestIds.1',
      /at most 64 characters/,
    );
  });
});

function validPay() {
  return {
    paymentRequestId: 'PAY-20261121-0001',
    paymentAmount: { currency: 'CNY', value: '12500' },
    order: {
      referenceOrderId: 'ORDER-1',
      orderDescription: 'Milk powder x2',
      orderAmount: { currency: 'CNY', value: '12500' },
      buyer: { referenceBuyerId: 'BUYER-1' },
      goods: [
        {
          referenceGoodsId: 'SKU-1',
          goodsName: 'Milk powder',
          goodsUnitAmount: { currency: 'CNY', value: '6250' },
          goodsQuantity: '2',
        },
      ],
    },
    paymentNotifyUrl: 'https://merchant.example.com/alipay/notify',
    paymentRedirectUrl: 'https://merchant.example.com/checkout/done',
    paymentExpiryTime: '2026-11-21T10:30:00+08:00',
    settlementStrategy: { settlementCurrency: 'USD' },
  };
}

describe('pay request', () => {
  const pay = (data: unknown) => parseMessage(payRequest, data, 'pay request');

  test('a complete pay request is accepted', () => {
    const parsed = pay(validPay());
    assert.equal(parsed.paymentNotifyUrl, 'https://merchant.example.com/alipay/notify');
    assert.equal(parsed.order.goods?.[0]?.goodsQuantity, '2');
  });

  test('paymentExpiryTime is optional: Alipay+ applies its default expiry', () => {
    const { paymentExpiryTime: _omitted, ...withoutExpiry } = validPay();
    assert.equal(pay(withoutExpiry).paymentExpiryTime, undefined);
  });

  test('a paymentNotifyUrl that is not an absolute http(s) URL is rejected', () => {
    for (const bad of ['not a url', '/alipay/notify', 'ftp://merchant.example.com/notify', 'javascript:alert(1)']) {
      expectRejected(
        payRequest,
        { ...validPay(), paymentNotifyUrl: bad },
        'pay request',
        'paymentNotifyUrl',
        /must be an absolute http\(s\) URL/,
      );
    }
  });

  test('a paymentExpiryTime that is not ISO-8601 is rejected', () => {
    for (const bad of ['21/11/2026 10:30', 'tomorrow', '1763719200000', '2026-13-45T10:30:00Z']) {
      expectRejected(
        payRequest,
        { ...validPay(), paymentExpiryTime: bad },
        'pay request',
        'paymentExpiryTime',
        /must be an ISO-8601 date-time/,
      );
    }
  });

  test('the payment amount value must be a string', () => {
    expectRejected(
      payRequest,
      { ...validPay(), paymentAmount: { currency: 'CNY', value: 125 } },
      'pay request',
      'paymentAmount.value',
      /must be a string/,
    );
  });

  test('a goods quantity of 0 is rejected at its path', () => {
    const body = validPay();
    body.order.goods[0].goodsQuantity = '0';
    expectRejected(payRequest, body, 'pay request', 'order.goods.0.goodsQuantity', /whole number from 1/);
  });
});

const SUCCESS_RESULT = { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' };

function validNotification() {
  return {
    notifyType: 'PAYMENT_RESULT',
    result: SUCCESS_RESULT,
    paymentRequestId: 'PAY-20261121-0001',
    paymentId: '20261121194010800100188820200012345',
    paymentAmount: { currency: 'CNY', value: '12500' },
    paymentCreateTime: '2026-11-21T10:00:00+08:00',
    paymentTime: '2026-11-21T10:01:12+08:00',
    customsDeclarationAmount: { currency: 'CNY', value: '12500' },
    settlementQuote: { quoteId: 'Q-1', quoteCurrencyPair: 'USD/CNY', quotePrice: '7.1234' },
  };
}

describe('notifyPayment', () => {
  test('a valid notification parses', () => {
    const parsed = parseMessage(notifyPaymentRequest, validNotification(), 'notifyPayment');
    assert.equal(parsed.paymentRequestId, 'PAY-20261121-0001');
    assert.deepEqual(parsed.paymentAmount, { currency: 'CNY', value: '12500' });
    assert.equal(parsed.settlementQuote?.quotePrice, '7.1234');
  });

  test("payerRealNameVerified is not a field of notifyPayment: an old sandbox's value is dropped, not read", () => {
    const parsed = parseMessage(notifyPaymentRequest, { ...validNotification(), payerRealNameVerified: 'false' }, 'notifyPayment');
    assert.ok(!('payerRealNameVerified' in parsed));
  });

  test("Alipay+'s shape parses too: no notifyType, the result named paymentResult", () => {
    const { notifyType: _n, result: _r, ...rest } = validNotification();
    void [_n, _r];
    const parsed = parseMessage(notifyPaymentRequest, { ...rest, paymentResult: SUCCESS_RESULT }, 'notifyPayment');
    assert.equal(parsed.notifyType, undefined);
    assert.deepEqual(notifiedPaymentResult(parsed), SUCCESS_RESULT);
  });

  test('a notification with neither result nor paymentResult is rejected', () => {
    const { result: _r, ...body } = validNotification();
    void _r;
    expectRejected(notifyPaymentRequest, body, 'notifyPayment', 'paymentResult', /is required/);
  });

  test('an unknown notifyType is rejected', () => {
    expectRejected(
      notifyPaymentRequest,
      { ...validNotification(), notifyType: 'REFUND_RESULT' },
      'notifyPayment',
      'notifyType',
      /PAYMENT_RESULT or PAYMENT_PENDING/,
    );
  });

  test('a notification without paymentRequestId is rejected', () => {
    const { paymentRequestId: _omit, ...body } = validNotification();
    void _omit;
    expectRejected(notifyPaymentRequest, body, 'notifyPayment', 'paymentRequestId', /is required/);
  });

  test('notifyPaymentAck parses {result:{resultStatus:"S",resultCode:"SUCCESS"}}', () => {
    const ack = parseMessage(notifyPaymentAck, { result: { resultStatus: 'S', resultCode: 'SUCCESS' } }, 'notifyPayment ack');
    assert.deepEqual(ack, { result: { resultStatus: 'S', resultCode: 'SUCCESS' } });
  });

  test('notifyPaymentAck with an unknown resultStatus is rejected', () => {
    expectRejected(
      notifyPaymentAck,
      { result: { resultStatus: 'OK', resultCode: 'SUCCESS' } },
      'notifyPayment ack',
      'result.resultStatus',
      /must be S, F or U/,
    );
  });
});

describe('responses', () => {
  const declareS = () => ({
    result: SUCCESS_RESULT,
    pspPaymentId: '2026112122001488201234567890',
    pspDeclarationRequestId: '2026112131222699S70000001',
    pspCustomsCode: '31222699S7',
    clearingChannel: 'NUCC',
    clearingTransactionId: '4200001234202611210000000001',
    pspOrderAmount: { currency: 'CNY', value: '12500' },
    identityCheckResult: 'CHECK_PASSED',
  });

  test('declareResponse parses a realistic S body', () => {
    const parsed = parseMessage(declareResponse, declareS(), 'declare response');
    assert.equal(parsed.result.resultStatus, 'S');
    assert.equal(parsed.pspCustomsCode, '31222699S7');
    assert.equal(parsed.clearingChannel, 'NUCC');
    assert.deepEqual(parsed.pspOrderAmount, { currency: 'CNY', value: '12500' });
    assert.equal(parsed.identityCheckResult, 'CHECK_PASSED');
  });

  test('declareResponse without identityCheckResult (no certificate sent) parses', () => {
    const { identityCheckResult: _omit, ...body } = declareS();
    void _omit;
    assert.equal(parseMessage(declareResponse, body, 'declare response').identityCheckResult, undefined);
  });

  test('declareResponse with an unknown clearingChannel is rejected', () => {
    expectRejected(declareResponse, { ...declareS(), clearingChannel: 'VISA' }, 'declare response', 'clearingChannel', /CUP.*NUCC.*OTHER/);
  });

  const inquiryS = () => ({
    result: SUCCESS_RESULT,
    paymentStatus: 'SUCCESS',
    paymentResult: SUCCESS_RESULT,
    paymentRequestId: 'PAY-20261121-0001',
    paymentId: '20261121194010800100188820200012345',
    paymentAmount: { currency: 'USD', value: '1755' },
    paymentTime: '2026-11-21T10:01:12+08:00',
    customsDeclarationAmount: { currency: 'CNY', value: '12500' },
    settlementQuote: { quoteId: 'Q-1', quoteCurrencyPair: 'USD/CNY', quotePrice: '7.1234' },
  });

  test('inquiryPaymentResponse parses a realistic S body', () => {
    const parsed = parseMessage(inquiryPaymentResponse, inquiryS(), 'inquiryPayment response');
    assert.equal(parsed.paymentStatus, 'SUCCESS');
    assert.equal(parsed.paymentResult?.resultCode, 'SUCCESS');
    assert.deepEqual(parsed.customsDeclarationAmount, { currency: 'CNY', value: '12500' });
    assert.deepEqual(parsed.settlementQuote, { quoteId: 'Q-1', quoteCurrencyPair: 'USD/CNY', quotePrice: '7.1234' });
  });

  test("an Alipay+ inquiryPayment answer has paymentResult, not Antom's paymentStatus: the status is read from paymentResult", () => {
    const { paymentStatus: _antomOnly, ...alipayPlus } = inquiryS();
    const status = (paymentResult?: object) =>
      paymentStatusOf(parseMessage(inquiryPaymentResponse, { ...alipayPlus, paymentResult }, 'inquiryPayment response'));
    assert.equal(status(SUCCESS_RESULT), 'SUCCESS');
    assert.equal(status({ resultStatus: 'U', resultCode: 'PAYMENT_IN_PROCESS', resultMessage: 'in process' }), 'PROCESSING');
    assert.equal(status({ resultStatus: 'F', resultCode: 'ORDER_IS_CLOSED', resultMessage: 'closed' }), 'CANCELLED');
    assert.equal(status({ resultStatus: 'F', resultCode: 'USER_BALANCE_NOT_ENOUGH', resultMessage: 'no money' }), 'FAIL');
    assert.equal(status(undefined), 'PROCESSING');
    assert.equal(
      paymentStatusOf({ paymentStatus: 'CANCELLED', paymentResult: { resultStatus: 'S', resultCode: 'SUCCESS' } }),
      'CANCELLED',
      'paymentStatus wins when present',
    );
  });

  test('inquiryPaymentResponse with a numeric exchange rate is rejected at settlementQuote.quotePrice', () => {
    expectRejected(
      inquiryPaymentResponse,
      { ...inquiryS(), settlementQuote: { quoteCurrencyPair: 'USD/CNY', quotePrice: 7.1234 } },
      'inquiryPayment response',
      'settlementQuote.quotePrice',
      /expected string/,
    );
  });

  test('inquiryPaymentResponse with an unknown paymentStatus is rejected', () => {
    expectRejected(
      inquiryPaymentResponse,
      { ...inquiryS(), paymentStatus: 'PAID' },
      'inquiryPayment response',
      'paymentStatus',
      /PROCESSING.*SUCCESS.*FAIL.*CANCELLED/,
    );
  });

  test("a record shaped as Alipay+'s reference sample parses: no paymentRequestId, pspPaymentId and modifiedTime", () => {
    const record = {
      customsDeclarationRequestId: '2021081900000000000000001',
      pspDeclarationRequestId: '2013112611001004680073950000',
      pspPaymentId: '202108120000000231200000',
      customs: { customsCode: 'ZONGSHU', region: 'CN' },
      merchantCustomsInfo: { merchantCustomsCode: 'test_merchant_customs_code', merchantCustomsName: 'test_merchant_customs_name' },
      declarationAmount: { currency: 'CNY', value: '100' },
      isSplit: 'true',
      referenceOrderId: 'P202108120000000231280000',
      declarationRequestStatus: 'WAITING_FOR_PROCESSING',
      modifiedTime: '2021-01-01T12:08:55Z',
      customsResultCode: '2',
      customsResultReturnedTime: '2021-01-01T12:08:55Z',
    };
    const parsed = parseMessage(
      inquireDeclarationRequestsResponse,
      { result: SUCCESS_RESULT, declarationRecords: [record] },
      'inquire response',
    );
    assert.equal(parsed.declarationRecords[0].paymentRequestId, undefined);
    assert.equal(parsed.declarationRecords[0].modifiedTime, '2021-01-01T12:08:55Z');
  });

  test('inquireDeclarationRequestsResponse defaults its arrays and parses a record', () => {
    const empty = parseMessage(inquireDeclarationRequestsResponse, { result: SUCCESS_RESULT }, 'inquire response');
    assert.deepEqual(empty.declarationRecords, []);
    assert.deepEqual(empty.declarationRequestsNotFound, []);
    const parsed = parseMessage(
      inquireDeclarationRequestsResponse,
      {
        result: SUCCESS_RESULT,
        declarationRecords: [
          {
            ...validDeclare(),
            declarationRequestStatus: 'CUSTOMS_ACCEPT_SUCCESS',
            customsResultCode: '399',
            customsResultReturnedTime: '2026-11-21T11:00:00+08:00',
          },
        ],
        declarationRequestsNotFound: ['DECL-404'],
      },
      'inquire response',
    );
    assert.equal(parsed.declarationRecords[0]?.customsResultCode, '399');
    assert.deepEqual(parsed.declarationRequestsNotFound, ['DECL-404']);
  });

  test('isCustomsRejection: 100 and negative codes are rejections, 2 / 3 / 399 / absent are not', () => {
    assert.equal(isCustomsRejection('100'), true);
    assert.equal(isCustomsRejection('-1'), true);
    assert.equal(isCustomsRejection('-301'), true);
    for (const code of ['2', '3', '399', undefined]) assert.equal(isCustomsRejection(code), false, String(code));
  });
});
