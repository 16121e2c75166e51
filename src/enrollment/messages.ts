import { defineMessages } from '../i18n.js';

/** Enrollment errors; the daemon words them in its language, the prompts are worded by the CLI. */
export const enrollmentText = defineMessages({
  consent: {
    zh: '录入指纹前必须取得并记录本人同意：确认成员已同意后，加上 --consent 重新运行',
    en: 'consent must be given and recorded before enrolling a fingerprint: once the member has agreed, run again with --consent',
  },
  fingerTaken: {
    zh: '成员 {memberId} 的 {finger} 已录入（槽位 {slot}）；请换一根手指，或先用 room-agent members remove 删除该成员',
    en: 'member {memberId} already has {finger} enrolled (slot {slot}); choose another finger, or remove the member first with room-agent members remove',
  },
  duplicate: {
    zh: '这根手指已录入，属于成员 {memberId}（{name}）的 {finger}（槽位 {slot}）；未保存任何数据',
    en: 'this finger is already enrolled as {finger} of member {memberId} ({name}), slot {slot}; nothing was stored',
  },
  duplicateUnassigned: {
    zh: '这根手指已在模块槽位 {slot} 中，但该槽位不属于任何成员（旧模块或被删除成员的残留）；未保存任何数据。可先运行 room-agent scanner wipe 清空模块，再 room-agent scanner restore 恢复',
    en: 'this finger is already on the module in slot {slot}, which belongs to no member (left from another module or a removed member); nothing was stored. Empty the module with room-agent scanner wipe, then room-agent scanner restore',
  },
  full: {
    zh: '模块的 {capacity} 个槽位已全部占用；请删除不再需要的成员',
    en: 'all {capacity} slots of the module are in use; remove members who no longer need them',
  },
  cancelled: {
    zh: '录入已取消；未保存任何数据',
    en: 'the enrollment was cancelled; nothing was stored',
  },
  failed: {
    zh: '录入失败：{reason}；未保存任何数据，请重试',
    en: 'enrollment failed: {reason}; nothing was stored, try again',
  },
});
