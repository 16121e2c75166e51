import { defineMessages } from '../../i18n.js';
import type { Activity, PlanRecord } from '../../activities/schema.js';

const t = defineMessages({
  running: { zh: '进行中', en: 'running' },
  activity: {
    zh: '"{title}"（{type}，来源 {source}，编号 {id}）\n  开始：{started}（seq {seq}）\n  照片：{photos} 张，录像：{recording}{duration}',
    en: '"{title}" ({type}, from {source}, id {id})\n  started: {started} (seq {seq})\n  photos: {photos}, recording: {recording}{duration}',
  },
  whenIdle: { zh: '（链路空闲时上传）', en: ' (uploaded when the link is idle)' },
  duration: { zh: '，时长 {minutes} 分钟', en: ', duration {minutes} min' },
  ended: { zh: '\n  结束：{ended}（{reason}）', en: '\n  ended: {ended} ({reason})' },
  yes: { zh: '是', en: 'yes' },
  no: { zh: '否', en: 'no' },
});

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Several lines describing one activity, for `activity current` and `status`. */
export function activityDetails(activity: Activity): string {
  const duration = activity.durationMin === undefined ? '' : t('duration', { minutes: activity.durationMin });
  const text = t('activity', {
    title: activity.title,
    type: activity.type,
    source: activity.source,
    id: activity.id,
    started: iso(activity.startedWallMs),
    seq: activity.startedSeq,
    photos: activity.photos,
    recording: t(activity.recording ? 'yes' : 'no') + (activity.recordingUpload === 'when-idle' ? t('whenIdle') : ''),
    duration,
  });
  if (activity.endedWallMs === null) return text;
  return text + t('ended', { ended: iso(activity.endedWallMs), reason: activity.endReason ?? '' });
}

/** One line per activity, for `activity list`. */
export function activityLine(activity: Activity): string {
  const end = activity.endedWallMs === null ? t('running') : iso(activity.endedWallMs);
  return `${iso(activity.startedWallMs)}  ${end.padEnd(24)}  ${activity.type.padEnd(19)}  "${activity.title}"  ${activity.id}`;
}

/** One line per plan, for `activity plan list`. */
export function planLine({ plan, state, activityId }: PlanRecord): string {
  const started = activityId === null ? '' : `  → ${activityId}`;
  return `${plan.startsAt}  ${String(plan.durationMin).padStart(4)} min  ${state.padEnd(9)}  ${plan.type.padEnd(19)}  "${plan.title}"  ${plan.id}${started}`;
}
