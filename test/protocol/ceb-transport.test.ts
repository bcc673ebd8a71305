import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import axios from 'axios';
import type { Logger } from 'pino';
import { cebFilingPort, type CebFilingPort } from '../../activities/customs';
import type { CustomsFiling, CustomsReceipt, FiledDocument } from '../../domain/customs-filing';
import { EPortError } from '../../eport/client';
import { MAX_MESSAGE_BYTES, verifyCebMessage } from '../../eport/ceb';
import { signedFiling } from '../../eport/filings';
import { CebTransport } from '../../eport/transport';
import { customsFiling, FILING_PAID_FEN } from '../support/ceb-filings';
import { declareRequest, paidPayment } from '../support/orders';
import { frozenTime, startSandboxFixture, testCebSettings, type SandboxFixture } from '../support/sandbox';

// The customs e-port on the CEB messages, over HTTP against the sandbox: signed filings in, signed receipts out,
// by query and by callback; the worker's port (eport/filings.ts + eport/transport.ts) on the other side.

const STEP = 60_000;
type Answer = { accepted?: boolean; rule?: string; error?: string; receipts?: string[] };
const xmlPost = (body: string, type = 'application/xml') =>
  axios.post<Answer>(`${f.sandbox.url}/ceb/messages`, body, {
    headers: { 'Content-Type': type },
    validateStatus: () => true,
    maxBodyLength: Infinity,
  });
let f: SandboxFixture;
let port: CebFilingPort;
let transport: CebTransport;
before(async () => {
  f = await startSandboxFixture({ timeSource: frozenTime(), cebStepAfterMs: STEP });
  const settings = testCebSettings(f);
  port = cebFilingPort(settings);
  transport = new CebTransport({ baseUrl: f.sandbox.url, customsPublicKey: settings.customsPublicKey });
});
after(() => f.close());

/** A paid payment declared for the amount paid; its review accepted, so customs holds the payment document. */
async function declaredFiling(): Promise<CustomsFiling> {
  const p = await paidPayment(f, { fen: FILING_PAID_FEN });
  await f.client.declare(declareRequest(p.id, { declarationAmount: { currency: 'CNY', value: String(FILING_PAID_FEN) } }));
  await f.helpers.advance(2 * 60_000);
  return customsFiling(p.id, p.paymentId);
}

const statuses = (rs: CustomsReceipt[], document: FiledDocument) => rs.filter((r) => r.document === document).map((r) => r.returnStatus);

async function fileAll(filing: CustomsFiling) {
  for (const doc of ['ORDER', 'WAYBILL', 'INVENTORY'] as const) await port.file(doc, filing);
}

describe('filing and receipts', () => {
  test('order, waybill and list filed, the payment declared: the list goes 120 → 399 → 800, one step at a time', async () => {
    const filing = await declaredFiling();
    const orderNo = filing.orderNo;
    const seen = await f.helpers.cebOrder(orderNo);
    assert.deepEqual(
      seen.paymentReceipts.map((r) => [r.messageType, r.to, r.returnStatus]),
      [['CEB412Message', '31222699S7', '120']],
      "Alipay's declare reached customs; its receipt is Alipay's",
    );
    await fileAll(filing);
    let receipts = await port.receipts(orderNo);
    assert.deepEqual(
      receipts.map((r) => [r.document, r.returnStatus]),
      [
        ['ORDER', '120'],
        ['WAYBILL', '120'],
        ['INVENTORY', '120'],
      ],
      JSON.stringify(receipts.map((r) => r.returnInfo)),
    );
    assert.ok(!receipts.some((r) => r.document === 'PAYMENT'), "the payment's receipt goes to Alipay, not the merchant");
    const order = receipts[0];
    assert.equal(order.orderNo, orderNo);
    assert.equal(order.filingGuid, signedFiling('ORDER', filing, testCompany()).guid, 'the receipt names the filing it answers');
    assert.match(order.returnTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(Date.parse(order.returnTime), Math.floor((await f.helpers.now()) / 1000) * 1000, 'CST returnTime read back as UTC');

    await f.helpers.advance(STEP - 1);
    assert.deepEqual(statuses(await port.receipts(orderNo), 'INVENTORY'), ['120'], 'not before stepAfterMs');
    await f.helpers.advance(1);
    assert.deepEqual(statuses(await port.receipts(orderNo), 'INVENTORY'), ['120', '399']);
    await f.helpers.advance(STEP);
    receipts = await port.receipts(orderNo);
    assert.deepEqual(statuses(receipts, 'INVENTORY'), ['120', '399', '800']);
    assert.ok(receipts.at(-1)!.invtNo?.length === 18, 'the released list has its number');

    const held = await f.helpers.cebOrder(orderNo);
    assert.equal(held.inventoryStatus, '800');
    assert.deepEqual(
      held.lines.map((l) => l.gcode),
      ['3304990099', '0902109000'],
    );
    assert.ok(held.buyerIdNumber && !held.buyerIdNumber.includes(filing.order.buyer.certificateNo.slice(3, 10)), 'ID number masked');
  });

  test('the same message again (a retry after a lost answer) is accepted and files nothing new', async () => {
    const filing = await declaredFiling();
    const first = await port.file('ORDER', filing);
    const again = await port.file('ORDER', filing);
    assert.equal(again.guid, first.guid);
    assert.deepEqual(statuses(await port.receipts(filing.orderNo), 'ORDER'), ['120'], 'no second receipt, no "already filed"');
    const next = await port.file('ORDER', { ...filing, attempt: 1 });
    assert.notEqual(next.guid, first.guid, 'a new attempt is a new message');
    assert.deepEqual(statuses(await port.receipts(filing.orderNo), 'ORDER'), ['120', '120'], 'processed: a change (appType 2) is stored');
    const held = await f.helpers.cebOrder(filing.orderNo);
    assert.deepEqual(
      held.filed.map((m) => [m.messageType, m.appType]),
      [
        ['CEB311Message', '1'],
        ['CEB311Message', '2'],
      ],
    );
  });

  test('REJECT on the first list, RELEASE on the next: the corrected list is filed again', async () => {
    const filing = await declaredFiling();
    await f.helpers.cebRules({
      orders: { [filing.orderNo]: { paths: [{ kind: 'REJECT', reason: 'gcode does not fit the goods' }, { kind: 'RELEASE' }] } },
    });
    await fileAll(filing);
    await f.helpers.advance(STEP);
    const rejected = (await port.receipts(filing.orderNo)).filter((r) => r.document === 'INVENTORY');
    assert.deepEqual(
      rejected.map((r) => [r.returnStatus, r.returnInfo]),
      [
        ['120', 'stored'],
        ['100', 'gcode does not fit the goods'],
      ],
    );
    await port.file('INVENTORY', { ...filing, attempt: 1, corrections: [{ sku: 'SKU-TEA', hsCode: '0902300000' }] });
    await f.helpers.advance(2 * STEP);
    assert.deepEqual(statuses(await port.receipts(filing.orderNo), 'INVENTORY'), ['120', '100', '120', '399', '800']);
    assert.equal((await f.helpers.cebOrder(filing.orderNo)).lines[1].gcode, '0902300000');
  });
  test('after release, a return of one line is filed (CEB625) and accepted: 120 then 399, its value returned', async () => {
    const filing = await declaredFiling();
    await fileAll(filing);
    await f.helpers.advance(2 * STEP);
    const released = (await port.receipts(filing.orderNo)).find((r) => r.document === 'INVENTORY' && r.returnStatus === '800');
    assert.ok(released?.invtNo);
    const goodsReturn = {
      invtNo: released.invtNo,
      lines: [{ sku: 'SKU-TEA', quantity: 1 }],
      reason: 'The buyer sent one box back unopened',
    };
    await port.file('RETURN', { ...filing, goodsReturn });
    assert.deepEqual(statuses(await port.receipts(filing.orderNo), 'RETURN'), ['120'], 'receipts produced together come a second apart');
    await f.helpers.advance(1_000);
    assert.deepEqual(statuses(await port.receipts(filing.orderNo), 'RETURN'), ['120', '399']);
    assert.equal((await f.helpers.cebOrder(filing.orderNo)).returnedValueFen, 5_000);
  });
});

describe('refusals', () => {
  test('a message signed with another key is refused naming the rule; the client makes it final', async () => {
    const filing = await declaredFiling();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = signedFiling('ORDER', filing, { ...testCompany(), signingKey: { privateKey: other.privateKey, keyName: 'x' } });
    const res = await xmlPost(forged.xml);
    assert.equal(res.status, 400);
    assert.equal(res.data.accepted, false);
    assert.equal(res.data.rule, 'SIGNATURE');
    assert.match(res.data.error ?? '', /does not verify with the configured key/);
    await assert.rejects(transport.file(forged.xml), (e: unknown) => e instanceof EPortError && e.code === 'CEB_SIGNATURE' && !e.retryable);
    assert.deepEqual(await port.receipts(filing.orderNo), [], 'nothing filed');
  });

  test('a body over 1 MB is refused 413; hostile XML (a DTD) 400 before any parser reads it', async () => {
    const huge = `<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb">${'x'.repeat(MAX_MESSAGE_BYTES)}</CEB311Message>`;
    const big = await xmlPost(huge);
    assert.equal(big.status, 413);
    assert.equal(big.data.rule, 'BODY_TOO_LARGE');
    const dtd =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CEB311Message xmlns="http://www.chinaport.gov.cn/ceb">&a;</CEB311Message>';
    const hostile = await xmlPost(dtd, 'text/xml');
    assert.equal(hostile.status, 400);
    assert.equal(hostile.data.rule, 'XML_REFUSED');
    const json = await axios.post(`${f.sandbox.url}/ceb/messages`, { a: 1 }, { validateStatus: () => true });
    assert.equal(json.status, 415);
  });
});

describe('delivery faults, forged receipts, callback', () => {
  test('late, duplicated and reversed receipts are delivered as the rules say', async () => {
    const late = await declaredFiling();
    await f.helpers.cebRules({ orders: { [late.orderNo]: { delivery: { delayMs: 30_000 } } } });
    await port.file('ORDER', late);
    assert.deepEqual(await port.receipts(late.orderNo), [], 'not yet');
    await f.helpers.advance(30_000);
    assert.deepEqual(statuses(await port.receipts(late.orderNo), 'ORDER'), ['120']);

    const twice = await declaredFiling();
    await f.helpers.cebRules({ orders: { [twice.orderNo]: { delivery: { duplicate: [0], duplicateAfterMs: 500 } } } });
    await port.file('ORDER', twice);
    await f.helpers.advance(500);
    const dup = await port.receipts(twice.orderNo);
    assert.equal(dup.length, 2);
    assert.equal(dup[0].guid, dup[1].guid, 'the same receipt twice');

    const reversed = await declaredFiling();
    await f.helpers.cebRules({ orders: { [reversed.orderNo]: { stepAfterMs: 1_000, delivery: { reverse: true, spacingMs: 1_000 } } } });
    await fileAll(reversed);
    await f.helpers.advance(10_000);
    assert.deepEqual(statuses(await port.receipts(reversed.orderNo), 'INVENTORY'), ['120', '800', '399'], 'the later state first');
  });

  test('the client drops a forged or unsigned receipt and keeps the genuine ones', async () => {
    const filing = await declaredFiling();
    await port.file('ORDER', filing);
    const genuine = (await axios.get<Answer>(`${f.sandbox.url}/ceb/receipts`, { params: { orderNo: filing.orderNo } })).data.receipts ?? [];
    assert.equal(genuine.length, 1);
    const forged = genuine[0].replace('<ceb:returnStatus>120<', '<ceb:returnStatus>100<');
    assert.notEqual(forged, genuine[0]);
    const unsigned = genuine[0].replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    const fake = await serve((_body, res) =>
      res.end(JSON.stringify({ orderNo: filing.orderNo, receipts: [forged, genuine[0], unsigned] })),
    );
    try {
      const dropped: unknown[] = [];
      const logger = { warn: (o: unknown) => dropped.push(o) } as unknown as Logger;
      const client = new CebTransport({ baseUrl: fake.url, customsPublicKey: f.keys.customsPublicKey, logger });
      const read = await client.receipts(filing.orderNo);
      assert.deepEqual(
        read.map((r) => [r.document, r.returnStatus]),
        [['ORDER', '120']],
      );
      // Read again, the genuine receipt comes from memory, as it was; the forged ones are dropped again.
      read[0].returnStatus = 'changed by the caller';
      assert.deepEqual(await client.receipts(filing.orderNo), await port.receipts(filing.orderNo));
      assert.equal(client.rememberedReceipts, 1);
      assert.equal(dropped.length, 4, 'two forged receipts dropped at each of two reads');
    } finally {
      await fake.close();
    }
  });

  test('the receipts it remembers are bounded: the oldest read is forgotten first', async () => {
    const [a, b] = [await declaredFiling(), await declaredFiling()];
    for (const filing of [a, b]) await port.file('ORDER', filing);
    const client = new CebTransport({ baseUrl: f.sandbox.url, customsPublicKey: f.keys.customsPublicKey, verifiedReceipts: 1 });
    for (const filing of [a, b, a]) {
      assert.deepEqual(await client.receipts(filing.orderNo), await port.receipts(filing.orderNo));
      assert.equal(client.rememberedReceipts, 1);
    }
  });

  test('with a callback URL, each receipt is also POSTed there, signed', async () => {
    const got: string[] = [];
    const receiver = await serve((body, res) => {
      got.push(body);
      res.end('ok');
    });
    const g = await startSandboxFixture({ timeSource: frozenTime(), cebCallbackUrl: receiver.url });
    try {
      const p = await paidPayment(g, { fen: FILING_PAID_FEN });
      const filing = customsFiling(p.id, p.paymentId);
      await cebFilingPort(testCebSettings(g)).file('ORDER', filing);
      for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(got.length, 1);
      assert.match(verifyCebMessage(got[0], { publicKey: g.keys.customsPublicKey }), /<(ceb:)?returnStatus>120<\/(ceb:)?returnStatus>/);
    } finally {
      await g.close();
      await receiver.close();
    }
  });
});

function testCompany() {
  const s = testCebSettings(f);
  return {
    copCode: s.copCode,
    copName: s.copName,
    dxpId: s.dxpId,
    signingKey: { privateKey: s.signingKey, keyName: s.keyName },
    customsCode: s.customsCode,
    defaultItemWeightKg: s.defaultItemWeightKg,
  };
}

async function serve(
  handle: (body: string, res: import('node:http').ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handle(body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port: p } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${p}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
