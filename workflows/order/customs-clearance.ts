import { condition } from '@temporalio/workflow';
import { DEFAULT_DETENTION_DEADLINE_MS, DEFAULT_INSPECTION_DEADLINE_MS, type CustomsState } from '../../domain/order-api';
import { compensate } from './compensation';
import { continueAsNewWhenLong } from './continuation';
import { fileCustomsDocuments, refileCorrected } from './customs-filing';
import { STUCK_POLL_GAP, customsPollGap, longWaitPollGap } from './customs-polling';
import { applyReceipts, customsProblems, documentsToRefile, stateOf, type CustomsOrder } from './customs-receipts';
import { partsUnderway, settleReturnedParts } from './part-settlement';
import { clearStuck, markStuck, publish, publishPending, setStage } from './progress';
import { callRemote } from './remote-call';
import type { OrderState } from './state';

// Steps 9 and 10 on the e-port's messages: file the documents, then follow their receipts until customs
// releases the goods (800). A refused document waits for an operator's correction and is filed again;
// inspection and detention are waits with deadlines of their own; goods sent back abroad are refunded.

const HOUR = 60 * 60 * 1000;

/** Whether customs released every customs order; false when the order ended on the way (refunded, cancelled). */
export async function clearOnReceipts(o: OrderState): Promise<boolean> {
  setStage(o, 'CLEARANCE', 'customs receipts for the order document, the waybill and the inventory list');
  // A continued run finds the documents filed and goes on reading receipts.
  if (!o.customsLoop) {
    await fileCustomsDocuments(o);
    showClearance(o);
    o.customsLoop = { deadline: Date.now() + o.timeouts.clearanceDeadlineMs, polls: 0 };
  }
  const loop = o.customsLoop;
  for (; ; loop.polls++) {
    // A split order settles per part: a part sent back abroad refunds its share, the others go on.
    if (o.exactMoney && !(await settleReturnedParts(o))) return false;
    const open = o.exactMoney ? partsUnderway(o) : o.customs.filter((c) => c.state !== 'RELEASED');
    if (open.length === 0) break;
    const returned = o.exactMoney ? undefined : o.customs.find((c) => c.state === 'RETURNED_ABROAD');
    if (returned) {
      await compensate(
        o,
        `CUSTOMS_RETURNED_ABROAD: customs sent the goods of ${returned.orderNo} back abroad: ${returned.inventory.returnInfo ?? 'no reason given'}`,
        'Customs did not let your goods in, so they cannot be delivered. Your payment has been refunded.',
      );
      return false;
    }
    await continueAsNewWhenLong(o, 'CLEARANCE');
    publishPending(o);
    await condition(() => o.pollRequested || o.customs.some((c) => c.refile), nextWake(o, loop.polls), {
      summary: 'Step 9: wait for the next customs receipts',
    });
    o.pollRequested = false;
    for (const c of o.customs.filter((x) => x.refile)) {
      c.refile = false;
      await refileCorrected(o, c, documentsToRefile(c));
      loop.polls = 0; // the new receipts come soon: poll on the short gaps again
    }
    for (const c of open) {
      const receipts = await callRemote(o, 'customsReceipts', 'the customs receipts', (via) =>
        via.customs(`Step 9: receipts of ${c.orderNo}`).customsReceipts(c.orderNo),
      );
      if (applyReceipts(c, receipts)) publish(o);
      showWaits(o, c);
    }
    showClearance(o);
    showClearanceDeadline(o, loop.deadline);
  }
  clearStuck(o);
  return true;
}

/** The clearance summary order systems read (`status.clearance`), as orders before the e-port's messages showed it. */
function showClearance(o: OrderState) {
  o.clearance = o.customs.map((c) =>
    c.state === 'RELEASED'
      ? { customsOrderId: c.orderNo, status: 'RELEASED' }
      : c.state === 'RETURNED_ABROAD'
        ? { customsOrderId: c.orderNo, status: 'REJECTED', reason: c.inventory.returnInfo ?? 'returned abroad' }
        : { customsOrderId: c.orderNo, status: 'PENDING' },
  );
}

/** The next poll, or an earlier deadline, so a stuck wait shows on time. */
function nextWake(o: OrderState, polls: number): number {
  // Inspection and detention last days: past the first polls, hourly keeps their histories small.
  const longWait = polls >= 5 && o.customs.every((c) => ['RELEASED', 'INSPECTION', 'DETAINED'].includes(c.state) || c.settlement);
  const gap = o.stuck ? STUCK_POLL_GAP : longWait ? longWaitPollGap(o.timeouts) : customsPollGap(o.timeouts, polls);
  const deadlines = o.customs.flatMap((c) => [
    c.inspectionSince && Date.parse(c.inspectionSince) + inspectionDeadline(o) - Date.now(),
    c.detainedSince && Date.parse(c.detainedSince) + detentionDeadline(o) - Date.now(),
  ]);
  const soonest = deadlines.filter((d): d is number => typeof d === 'number' && d > 0);
  return Math.min(gap, ...soonest);
}

const inspectionDeadline = (o: OrderState) => o.timeouts.inspectionDeadlineMs ?? DEFAULT_INSPECTION_DEADLINE_MS;
const detentionDeadline = (o: OrderState) => o.timeouts.detentionDeadlineMs ?? DEFAULT_DETENTION_DEADLINE_MS;

/** A refused document, an inspection or a detention past its deadline: the order is stuck for that customs order. */
function showWaits(o: OrderState, c: CustomsOrder) {
  const scope = `customs:${c.orderNo}`;
  c.state = stateOf(c);
  const now = Date.now();
  if (c.state === 'DOCUMENT_REJECTED') {
    markStuck(
      o,
      'CUSTOMS_DOCUMENT_REJECTED',
      `customs refused ${customsProblems(c)}; correct it (correct-customs) to file it again`,
      scope,
    );
  } else if (c.state === 'DETAINED' && now - Date.parse(c.detainedSince!) >= detentionDeadline(o)) {
    const days = Math.round(detentionDeadline(o) / (24 * HOUR));
    const why = c.inventory.returnInfo ?? 'no reason given';
    markStuck(
      o,
      'DETENTION_DEADLINE',
      `customs has held the goods of ${c.orderNo} for over ${days} days (${why}); an operator decides`,
      scope,
    );
  } else if (c.state === 'INSPECTION' && now - Date.parse(c.inspectionSince!) >= inspectionDeadline(o)) {
    const hours = Math.round(inspectionDeadline(o) / HOUR);
    markStuck(o, 'INSPECTION_DEADLINE', `the inspection of ${c.orderNo} has not ended within ${hours} hours`, scope);
  } else if (o.stuckReasons[scope]) {
    clearStuck(o, scope);
  }
}

/** States without a deadline of their own: the clearance deadline covers them. */
const UNDECIDED: readonly CustomsState[] = ['FILING', 'AWAITING_RECEIPTS', 'STORED', 'MANUAL_REVIEW', 'REVIEWED'];

/** Past the clearance deadline with receipts still missing (and no other reason shown): the order is stuck. */
function showClearanceDeadline(o: OrderState, deadline: number) {
  const waiting = o.customs.filter((c) => UNDECIDED.includes(c.state));
  if (o.stuck || waiting.length === 0 || Date.now() < deadline) return;
  const hours = Math.round(o.timeouts.clearanceDeadlineMs / HOUR);
  markStuck(o, 'CLEARANCE_DEADLINE', `customs has not decided within ${hours} hours: ${waiting.map(customsProblems).join(' | ')}`);
}
