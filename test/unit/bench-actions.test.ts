import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { countActions } from '../../dev/bench/actions';

// The bench's count of Temporal Cloud Actions, checked against counts worked out by hand from the event
// lists of recorded histories (test/histories/).

const recorded = (name: string) => historyFromJSON(JSON.parse(readFileSync(join(__dirname, '..', 'histories', name), 'utf8'))).events ?? [];

describe('countActions', () => {
  test('a happy-path order up to its release (cleared-v4.json)', () => {
    // By hand, from its 122 events:
    // - started 1 (event 1);
    // - updates accepted 2: checkout (5) and paymentNotification (35);
    // - 15 search attribute upserts, of which 41, 51 and 75 hold only TemporalChangeVersion: 12;
    // - 11 activities scheduled, each started once (attempt 1): 11, no retries;
    // - 11 timers started (22, 30, 43, 60, 69, 77, 87, 95, 102, 108, 122);
    // - 3 core_patch markers, in 3 workflow tasks (completed at 34, 48 and 73): 3.
    const count = countActions(recorded('cleared-v4.json'));
    assert.deepEqual(count.byKind, {
      workflowStarted: 1,
      searchAttributeUpserts: 12,
      activities: 11,
      activityRetries: 0,
      localActivityRetries: 0,
      markers: 3,
      timers: 11,
      signals: 0,
      updates: 2,
      childWorkflows: 0,
      other: 0,
    });
    assert.equal(count.actions, 40);
    assert.equal(count.events, 122);
  });

  test("a buyer's quota entity for one order (buyer-quota-v3.json)", () => {
    // By hand, from its 21 events: started 1; updates reserve (5), markPaid (13), commit (20): 3; one
    // core_patch marker (6); its upsert (7) is TemporalChangeVersion only: 0; timers 8 and 16: 2.
    const count = countActions(recorded('buyer-quota-v3.json'));
    assert.equal(count.byKind.workflowStarted, 1);
    assert.equal(count.byKind.updates, 3);
    assert.equal(count.byKind.markers, 1);
    assert.equal(count.byKind.searchAttributeUpserts, 0);
    assert.equal(count.byKind.timers, 2);
    assert.equal(count.actions, 7);
    assert.equal(count.events, 21);
  });

  test('retries, markers of one workflow task, children and signals', () => {
    const T = historyFromJSON({
      events: [
        { eventId: '1', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', workflowExecutionStartedEventAttributes: {} },
        {
          eventId: '4',
          eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
          workflowTaskCompletedEventAttributes: { meteringMetadata: { nonfirstLocalActivityExecutionAttempts: 2 } },
        },
        { eventId: '5', eventType: 'EVENT_TYPE_MARKER_RECORDED', markerRecordedEventAttributes: { workflowTaskCompletedEventId: '4' } },
        { eventId: '6', eventType: 'EVENT_TYPE_MARKER_RECORDED', markerRecordedEventAttributes: { workflowTaskCompletedEventId: '4' } },
        { eventId: '7', eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', activityTaskScheduledEventAttributes: {} },
        {
          eventId: '8',
          eventType: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
          startChildWorkflowExecutionInitiatedEventAttributes: {},
        },
        { eventId: '9', eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED', activityTaskStartedEventAttributes: { attempt: 3 } },
        { eventId: '10', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', workflowExecutionSignaledEventAttributes: {} },
        { eventId: '11', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW', workflowExecutionContinuedAsNewEventAttributes: {} },
      ],
    }).events!;
    const count = countActions(T);
    // started 1, local activity retries 2, markers of one task 1, activity 1 + 2 retries, child 2, signal 1.
    assert.equal(count.actions, 10);
    assert.equal(count.byKind.markers, 1);
    assert.equal(count.byKind.activityRetries, 2);
    assert.equal(count.byKind.childWorkflows, 2);
  });
});
