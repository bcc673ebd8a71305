// Reading recorded histories, as fetched (protobuf objects) or as saved to JSON (base64 payloads).

interface CallEvent {
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: { data?: Uint8Array | string | null }[] | null }> | null;
  } | null;
}

/**
 * The activity an event calls: an activity scheduled, or a local activity, whose marker core writes as
 * plain JSON (not through the payload codec) with its `activity_type`.
 */
export function calledActivity(e: CallEvent): string | undefined {
  const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
  if (scheduled) return scheduled;
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  const json = typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data);
  return (JSON.parse(json.toString('utf8')) as { activity_type?: string }).activity_type;
}
