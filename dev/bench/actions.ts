import { temporal } from '@temporalio/proto';

// Temporal Cloud's billable Actions of one workflow history, by the rules of "Temporal Cloud Actions",
// https://docs.temporal.io/cloud/actions (source: temporalio/documentation, docs/evaluate/cloud/actions.mdx).
// Per event type of the history:
// - WorkflowExecutionStarted: 1, for a client start, update-with-start (multi-operation), a child's start or
//   the new run of a continue-as-new; search attributes given at the start are free.
// - WorkflowExecutionContinuedAsNew: 0 here, since the page bills it once, on the new run's Started event.
// - UpsertWorkflowSearchAttributes: 1 per command, however many attributes; an upsert of only
//   TemporalChangeVersion (written by patched()) is free.
// - ActivityTaskScheduled: 1; ActivityTaskStarted: attempt - 1 more, one per retry.
// - WorkflowTaskCompleted: meteringMetadata.nonfirstLocalActivityExecutionAttempts, the local activity retries.
// - MarkerRecorded (local activities, side effects, patch markers): 1 per workflow task that recorded any,
//   however many, as the page counts every RecordMarker of one workflow task as one Action.
// - TimerStarted: 1, including the implicit timers of condition() with a timeout.
// - WorkflowExecutionSignaled: 1 (a signal from another workflow is billed here, in the signaled history).
// - WorkflowExecutionUpdateAccepted: 1 (an update-with-start's update too, besides its start).
// - StartChildWorkflowExecutionInitiated: 2 (the recorded intent and the attempt to start).
// - WorkflowExecutionOptionsUpdated, NexusOperationScheduled, NexusOperationCancelRequested: 1.
// - WorkflowTaskFailed with cause RESET_WORKFLOW: 1 (a reset).
// Not in a history, so not counted: queries, activity and workflow task heartbeats, rejected updates,
// de-duplicated starts and updates.

const E = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export type ActionKind =
  | 'workflowStarted'
  | 'searchAttributeUpserts'
  | 'activities'
  | 'activityRetries'
  | 'localActivityRetries'
  | 'markers'
  | 'timers'
  | 'signals'
  | 'updates'
  | 'childWorkflows'
  | 'other';

export interface ActionCount {
  /** Billable Actions in the history. */
  actions: number;
  /** History events, billable or not. */
  events: number;
  byKind: Record<ActionKind, number>;
}

/** The Search Attribute patched() writes; upserting it alone is not an Action. */
const CHANGE_VERSION = 'TemporalChangeVersion';

/** A proto number: int64 fields come as Long objects, or as strings from JSON. */
const num = (v: unknown): number =>
  typeof v === 'object' && v !== null && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : Number(v ?? 0);

/** Counts the billable Actions of a history's events; pure, for histories fetched or read from JSON alike. */
export function countActions(events: readonly HistoryEvent[]): ActionCount {
  const byKind: Record<ActionKind, number> = {
    workflowStarted: 0,
    searchAttributeUpserts: 0,
    activities: 0,
    activityRetries: 0,
    localActivityRetries: 0,
    markers: 0,
    timers: 0,
    signals: 0,
    updates: 0,
    childWorkflows: 0,
    other: 0,
  };
  const tasksWithMarkers = new Set<number>();
  for (const e of events) {
    switch (e.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        byKind.workflowStarted += 1;
        break;
      case E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const names = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (names.some((n) => n !== CHANGE_VERSION)) byKind.searchAttributeUpserts += 1;
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        byKind.activities += 1;
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        byKind.activityRetries += Math.max(0, num(e.activityTaskStartedEventAttributes?.attempt) - 1);
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        byKind.localActivityRetries += num(
          e.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts,
        );
        break;
      case E.EVENT_TYPE_MARKER_RECORDED:
        tasksWithMarkers.add(num(e.markerRecordedEventAttributes?.workflowTaskCompletedEventId));
        break;
      case E.EVENT_TYPE_TIMER_STARTED:
        byKind.timers += 1;
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        byKind.signals += 1;
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        byKind.updates += 1;
        break;
      case E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        byKind.childWorkflows += 2;
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
      case E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
      case E.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED:
        byKind.other += 1;
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        if (
          e.workflowTaskFailedEventAttributes?.cause ===
          temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW
        )
          byKind.other += 1;
        break;
      default:
        break;
    }
  }
  byKind.markers = tasksWithMarkers.size;
  const actions = Object.values(byKind).reduce((a, b) => a + b, 0);
  return { actions, events: events.length, byKind };
}
