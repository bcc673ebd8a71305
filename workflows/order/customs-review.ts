import { isCustomsRejection } from '../../domain/customs-codes';
import { STUCK_POLL_GAP, customsPollGap } from './customs-polling';
import { refundBuyerIsNotPayer, scheduleRetransmit, sendDeclaration } from './declaration';
import { continueAsNewWhenLong } from './continuation';
import { clearStuck, markStuck, publish, publishPending, setStage, wait } from './progress';
import { callRemote } from './remote-call';
import { waitUntil } from '../wake-time';
import type { Declaration, OrderState } from './state';
import { IDENTITY_ON_RETRANSMISSION, STALE_CUSTOMS_ANSWER, since } from './versions';

// Step 8: customs reviews the payment document. Poll inquireDeclarationRequests, retransmit what customs
// rejected for missing data, hand other rejections to an operator, and flag the order when it stalls.

const HOUR = 60 * 60 * 1000;
/** Rejections that customs lacks the data for are retransmitted automatically this many times. */
const MAX_AUTO_RETRANSMITS = 3;
/** inquireDeclarationRequests takes 1 to 10 ids per call. */
const INQUIRY_BATCH = 10;

/** Returns once customs accepted every declaration; an operator's cancel interrupts the wait. */
export async function reviewCustoms(o: OrderState): Promise<boolean> {
  setStage(o, 'CUSTOMS_REVIEW', 'the customs review of the payment document');
  // Kept in the order's state, so a continued run picks the loop up where this one left it.
  const loop = (o.reviewLoop ??= {
    deadline: Date.now() + o.timeouts.customsReviewDeadlineMs,
    nextPollAt: Date.now() + customsPollGap(o.timeouts, 0),
    polls: 0,
  });
  const { deadline } = loop;
  // The time decisions are made at: Date.now() after a call, the timer's time after a wait (../wake-time.ts).
  let at = Date.now();
  for (;;) {
    if (o.declarations.every((d) => d.status === 'ACCEPTED')) {
      clearStuck(o);
      return true;
    }
    await continueAsNewWhenLong(o, 'CUSTOMS_REVIEW');
    for (const d of o.declarations) {
      if (d.status === 'RETRANSMIT_SCHEDULED' && at >= d.retransmitAtMs!) {
        await sendDeclaration(o, d);
        at = Date.now();
        if (!(await buyerIsPayer(o, d))) return false;
        if ((d.status as Declaration['status']) === 'SUBMITTED') {
          loop.polls = 0;
          loop.nextPollAt = Date.now() + customsPollGap(o.timeouts, 0);
        }
      }
    }
    if (at >= loop.nextPollAt) {
      await pollDeclarations(o);
      at = Date.now();
      loop.polls += 1;
      loop.nextPollAt = Date.now() + (o.stuck ? STUCK_POLL_GAP : customsPollGap(o.timeouts, loop.polls));
      continue;
    }
    if (!o.stuck && at >= deadline) {
      const open = o.declarations.filter((d) => d.status !== 'ACCEPTED');
      markStuck(
        o,
        'REVIEW_DEADLINE',
        `customs has not accepted ${open.map((d) => `${d.declarationId} (${d.status}, code ${d.customsResultCode ?? 'none'})`).join(', ')} ` +
          `within ${Math.round(o.timeouts.customsReviewDeadlineMs / HOUR)} hours`,
      );
      loop.nextPollAt = Math.min(loop.nextPollAt, Date.now() + STUCK_POLL_GAP);
    }
    const wakeAt = Math.min(
      loop.nextPollAt,
      ...o.declarations.filter((d) => d.status === 'RETRANSMIT_SCHEDULED').map((d) => d.retransmitAtMs!),
      o.stuck ? Infinity : deadline,
    );
    o.nudged = false;
    publishPending(o);
    ({ at } = await waitUntil(wakeAt, at, () => o.nudged, 'Step 8: wait for the next customs poll', o.lean));
    if (o.pollRequested) {
      o.pollRequested = false;
      loop.nextPollAt = Date.now();
    }
    if (o.nudged && o.declarations.some((d) => d.status === 'RETRANSMIT_SCHEDULED'))
      wait(o, 'the retransmission of a corrected declaration');
  }
}

async function pollDeclarations(o: OrderState) {
  const open = o.declarations.filter((d) => ['SUBMITTED', 'WAITING_FOR_PROCESSING', 'IN_PROCESS'].includes(d.status));
  for (let i = 0; i < open.length; i += INQUIRY_BATCH) {
    const batch = open.slice(i, i + INQUIRY_BATCH);
    const r = await callRemote(o, 'inquireDeclarationRequests', 'Alipay+ inquireDeclarationRequests', (via) =>
      via.alipayPlus('Step 8: inquireDeclarationRequests').inquireDeclarations({ declarationIds: batch.map((d) => d.declarationId) }),
    );
    for (const rec of r.records) {
      const d = batch.find((x) => x.declarationId === rec.declarationId);
      if (!d || isStale(o, rec, d)) continue;
      d.customsResultCode = rec.customsResultCode;
      d.customsResultDescription = rec.customsResultDescription;
      if (rec.status === 'CUSTOMS_ACCEPT_SUCCESS') d.status = 'ACCEPTED';
      else if (isCustomsRejection(rec.customsResultCode)) onRejected(o, d);
      else d.status = rec.status;
    }
    publish(o);
    for (const id of r.notFound) {
      markStuck(o, 'DECLARATION_UNKNOWN', `Alipay+ does not know declaration ${id}, which it accepted before`, id);
    }
  }
}

/**
 * A customs answer returned before the last declare call was made is about an earlier transmission.
 * Records without a time are taken as current (an assumption, written down in docs/architecture.md).
 */
function isStale(o: OrderState, rec: { status: string; resultAt?: string }, d: Declaration): boolean {
  if (rec.resultAt === undefined || d.lastCallStartedAtMs === undefined || rec.status === 'CUSTOMS_ACCEPT_SUCCESS') return false;
  return Date.parse(rec.resultAt) < d.lastCallStartedAtMs && since(o, STALE_CUSTOMS_ANSWER);
}

/**
 * A retransmission that carries the buyer's certificate answers the identity check again: the first
 * declaration may have been refused before it could. False when the payment has been refunded.
 */
async function buyerIsPayer(o: OrderState, d: Declaration): Promise<boolean> {
  if (!(d.withCertificate && d.identityCheckResult === 'CHECK_NOT_PASSED' && since(o, IDENTITY_ON_RETRANSMISSION))) return true;
  await refundBuyerIsNotPayer(o);
  return false;
}

/** Customs lacks data: retransmit automatically, a few times. Anything else waits for an operator's correction. */
function onRejected(o: OrderState, d: Declaration) {
  const lacksData = d.customsResultCode!.startsWith('-') || /missing|not received|lack/i.test(d.customsResultDescription ?? '');
  if (lacksData && d.autoRetransmits < MAX_AUTO_RETRANSMITS) {
    d.autoRetransmits += 1;
    scheduleRetransmit(o, d);
    return;
  }
  d.status = 'AWAITING_CORRECTION';
  markStuck(
    o,
    'CUSTOMS_REJECTED',
    `customs rejected ${d.declarationId} (code ${d.customsResultCode}: ${d.customsResultDescription ?? 'no description'}); ` +
      'an operator must correct and retransmit it',
    d.declarationId,
  );
}
