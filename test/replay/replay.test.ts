import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, test, type TestContext } from 'node:test';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type ReplayResult, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { AesGcmCodec, parseKeyring } from '../../platform/aes-gcm-codec';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { calledActivity } from '../support/history';
import { CONFIRMATION_OUTWAITS_PROCESSING, CORRECTION_IN_FLIGHT, PATCHES, STALE_CUSTOMS_ANSWER } from '../../workflows/order/versions';

// Replays the histories recorded from real end-to-end runs (`npm run record-histories`) against the
// workflow code as it is now. A change that would break orders already running fails here, before it
// reaches a worker. The histories' payloads are encrypted with the committed, test-only keyring.

const HISTORIES = join(__dirname, '..', 'histories');
const workflowsPath = require.resolve('../../workflows');
const dataConverter = { payloadCodecs: [new AesGcmCodec(parseKeyring(readFileSync(join(HISTORIES, 'payload-keys.txt'), 'utf8')))] };

const files = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();
/** The fields of a history's JSON events that the checks below read. */
interface RecordedEvent {
  workflowExecutionStartedEventAttributes?: {
    workflowType?: { name?: string };
    input?: { payloads?: { metadata?: Record<string, string>; data?: string }[] };
  };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest?: { input?: { name?: string } } };
  markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> };
}
interface RecordedHistory {
  events: RecordedEvent[];
}

/** Each history's raw JSON, and the workflow id the replay reports it under: its file name. */
const recorded = files.map((f) => ({
  workflowId: basename(f, '.json'),
  json: JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')) as RecordedHistory,
}));
const histories = () => recorded.map(({ workflowId, json }) => ({ workflowId, history: historyFromJSON(json) }));

const activities = (json: RecordedHistory) => json.events.map(calledActivity).filter(Boolean);
const reachesPayment = (json: RecordedHistory) => activities(json).includes('createPayment');
/**
 * Whether the order learned its payment from the notification: it came before any inquiryPayment. An order
 * that learned it by polling may still take Alipay+'s retried notification later, as a duplicate.
 */
const notified = (json: RecordedHistory) => {
  const notification = json.events.findIndex(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'paymentNotification',
  );
  const inquiry = json.events.findIndex((e) => calledActivity(e) === 'inquirePayment');
  return notification >= 0 && (inquiry < 0 || notification < inquiry);
};
/** Whether the history recorded the patch marker of `patchId` (core writes it unencrypted). */
const hasPatch = (json: RecordedHistory, patchId: string) =>
  json.events.some(
    (e) =>
      e.markerRecordedEventAttributes?.markerName === 'core_patch' &&
      Object.values(e.markerRecordedEventAttributes.details ?? {}).some((d) =>
        (d.payloads ?? []).some((pl) =>
          Buffer.from(pl.data ?? '', 'base64')
            .toString()
            .includes(`"${patchId}"`),
        ),
      ),
  );

// The replays of the incompatible bundle make the SDK's core warn once per history; the tests report instead.
const logger = new DefaultLogger('ERROR');
Runtime.install({ logger, telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });

async function replayAll(workflowBundle: WorkflowBundle): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle, dataConverter }, histories())) results.push(r);
  return results;
}

/** One diagnostic line per history: replayed, or the error with core's message when it has one. */
function report(t: TestContext, results: ReplayResult[]) {
  for (const r of results) {
    const why = r.error && (/message: "([^"]*)"/.exec(r.error.message)?.[1] ?? r.error.message);
    t.diagnostic(`${r.workflowId}: ${r.error ? `${r.error.name}: ${why}` : 'replayed'}`);
  }
}

let current: WorkflowBundle;
before(async () => {
  current = await bundleWorkflowCode({ workflowsPath, logger });
});

test('every recorded history replays against the current workflow code', { timeout: 120_000 }, async (t) => {
  const results = await replayAll(current);
  report(t, results);
  assert.ok(files.length >= 16, `expected at least 16 recorded histories in ${HISTORIES}, found ${files.length}`);
  assert.equal(results.length, files.length, 'one replay per history file');
  assert.deepEqual(results.map((r) => r.workflowId).sort(), recorded.map((h) => h.workflowId).sort());
  const failed = results.filter((r) => r.error);
  assert.deepEqual(
    failed.map((r) => `${r.workflowId}: ${r.error!.message}`),
    [],
    'the current workflow code must replay every recorded history; see "For engineers: replay and versioning" in the README',
  );
});

test('the recordings cover the main paths: orders that reached payment and the buyer quota entity', () => {
  const types = recorded.map(({ json }) => json.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name);
  assert.ok(types.filter((x) => x === 'orderWorkflow').length >= 15, `order histories: ${types.join(', ')}`);
  assert.ok(types.includes('buyerQuotaWorkflow'), 'a buyer quota history');
  assert.ok(types.includes('reconciliationWorkflow'), 'a daily reconciliation history');
  assert.ok(recorded.filter(({ json }) => reachesPayment(json)).length >= 14, 'order histories that created a payment');
  // Both sides of the patch in workflows/order.ts: orders paid by notification before it, and after it.
  const byNotification = recorded.filter(({ json }) => notified(json));
  const withPatch = byNotification.filter(({ json }) => hasPatch(json, 'confirm-notified-payment')).map((h) => h.workflowId);
  const withoutPatch = byNotification.filter(({ json }) => !hasPatch(json, 'confirm-notified-payment')).map((h) => h.workflowId);
  assert.ok(withPatch.length >= 1, 'a history recorded with the confirm-notified-payment patch');
  assert.ok(withoutPatch.length >= 1, 'a history recorded before the confirm-notified-payment patch');
});

/** The order input a history started with, decrypted with the committed keyring. */
async function orderInputOf(json: RecordedHistory): Promise<{ terminal?: { terminalType?: string; osType?: string } } | undefined> {
  const p = json.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!p?.data) return undefined;
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  const [plain] = await dataConverter.payloadCodecs[0].decode([{ metadata, data: Buffer.from(p.data, 'base64') }]);
  return JSON.parse(Buffer.from(plain.data!).toString('utf8')) as { terminal?: { terminalType?: string; osType?: string } };
}

test('the recordings include an order checked out from an app that went on to pay', async () => {
  const fromApp: string[] = [];
  for (const { workflowId, json } of recorded) {
    if ((await orderInputOf(json))?.terminal?.terminalType === 'APP' && reachesPayment(json)) fromApp.push(workflowId);
  }
  assert.ok(fromApp.length >= 1, 'record the app-checkout path (npm run record-histories -- app-checkout --suffix=-lean)');
});

/**
 * The patches no recorded history takes yet, each with why. Keep it minimal: record a path and remove its id.
 * - confirmation-outwaits-processing, stale-customs-answer, correction-in-flight: they need Alipay+'s read lag,
 *   a stale customs record or a call held in flight, which the sandbox does not make; covered by
 *   test/workflow/wrong-outcomes.test.ts (docs/replay-and-versioning.md).
 */
const NOT_RECORDED_YET: ReadonlySet<string> = new Set([CONFIRMATION_OUTWAITS_PROCESSING, STALE_CUSTOMS_ANSWER, CORRECTION_IN_FLIGHT]);

test('the recordings take the patched branches: each patch appears in a recorded history', () => {
  // Every patch id declared in workflows/order/versions.ts, the one place the patches are declared.
  assert.ok(PATCHES.length >= 19, `the patches declared: ${PATCHES.join(', ')}`);
  const stray = [...NOT_RECORDED_YET].filter((id) => !PATCHES.includes(id));
  assert.deepEqual(stray, [], 'NOT_RECORDED_YET names only declared patches');
  const recordedNow = [...NOT_RECORDED_YET].filter((id) => recorded.some(({ json }) => hasPatch(json, id)));
  assert.deepEqual(recordedNow, [], 'these patches are recorded now: take them out of NOT_RECORDED_YET');
  const missing = PATCHES.filter((id) => !NOT_RECORDED_YET.has(id) && !recorded.some(({ json }) => hasPatch(json, id)));
  assert.deepEqual(missing, [], 'record a path that takes each patched branch (docs/replay-and-versioning.md)');
});

test(
  'an incompatible change (an extra activity before Alipay+ pay) is caught as a DeterminismViolationError',
  { timeout: 120_000 },
  async (t) => {
    const reordered = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [require.resolve('./reordering-interceptor')],
      logger,
    });
    const results = await replayAll(reordered);
    report(t, results);
    assert.equal(results.length, files.length, 'one replay per history file');
    const byId = new Map(results.map((r) => [r.workflowId, r]));
    const paying = recorded.filter(({ json }) => reachesPayment(json));
    assert.ok(paying.length >= 14, 'histories that reach payment creation');
    for (const { workflowId } of paying) {
      const r = byId.get(workflowId)!;
      assert.ok(
        r.error instanceof DeterminismViolationError,
        `${workflowId} must fail with a DeterminismViolationError, got ${r.error ? `${r.error.name}: ${r.error.message}` : 'no error'}`,
      );
    }
    // Histories that never schedule the changed call still replay: the failure is the change, not the setup.
    for (const { workflowId } of recorded.filter(({ json }) => !reachesPayment(json))) {
      assert.equal(byId.get(workflowId)!.error, undefined, `${workflowId} does not reach payment creation and must still replay`);
    }
  },
);
