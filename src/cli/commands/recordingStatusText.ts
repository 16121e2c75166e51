import type { Status } from '../../app/statusMethod.js';
import { defineMessages } from '../../i18n.js';
import { wallTimeText } from '../../util/wallTime.js';
import { byteText } from '../../util/byteText.js';

const t = defineMessages({
  stored: {
    zh: '录像：{segments} 段，共 {bytes}（{quota}），其中 {notUploaded} 段尚未上传',
    en: 'recordings: {segments} segments, {bytes} ({quota}), {notUploaded} not yet uploaded',
  },
  quota: { zh: '配额 {bytes}', en: 'quota {bytes}' },
  noQuota: { zh: '无配额', en: 'no quota' },
  lost: {
    zh: '警报：过去 24 小时内有 {count} 段录像在上传前被删除（最近一段：{at}，活动 {activityId}，摄像头 {camera}，第 {index} 段，原因：{reason}），这部分会议录像已无处可寻。请释放存储空间或更换更大的存储卡，并检查上行网络为何没能及时上传；警报 24 小时后自动解除',
    en: 'ALARM: {count} recording segment(s) deleted before they were uploaded in the last 24 h (latest at {at}: activity {activityId}, camera {camera}, segment {index}, reason: {reason}); that part of the meeting is lost. Free space or fit a larger card, and find out why the uplink did not upload them in time; the alarm clears 24 h after the latest',
  },
  waiting: {
    zh: '  （其日志记录尚未写入：日志当前无法写入，恢复后自动补写）',
    en: '  (its journal entry is not written yet: the journal refuses writes; it is written once it accepts them)',
  },
  'quota-reason': { zh: '超出录像配额', en: 'over the recording quota' },
  'free-space-reason': { zh: '剩余空间不足', en: 'free space too low' },
  'missing-reason': { zh: '文件已不存在', en: 'file missing' },
});

const REASONS: Record<string, Parameters<typeof t>[0]> = {
  quota: 'quota-reason',
  'free-space': 'free-space-reason',
  missing: 'missing-reason',
};

/** The recordings kept, then the alarm of segments deleted before their upload, in the reader's language. */
export function recordingLines(recordings: Status['recordings']): string[] {
  const { segments, storedBytes, quotaBytes, notUploaded, lost } = recordings;
  const quota = quotaBytes === 0 ? t('noQuota') : t('quota', { bytes: byteText(quotaBytes) });
  const lines = [t('stored', { segments, bytes: byteText(storedBytes), quota, notUploaded })];
  if (lost === null) return lines;
  const reason = REASONS[lost.reason];
  lines.push(
    t('lost', {
      count: lost.count,
      at: wallTimeText(lost.at),
      activityId: lost.activityId,
      camera: lost.camera,
      index: lost.index,
      reason: reason === undefined ? lost.reason : t(reason),
    }),
  );
  if (!lost.journaled) lines.push(t('waiting'));
  return lines;
}
