import { defineMessages } from '../i18n.js';

/** Activity errors a technician reads in the CLI; ids, titles and seqs stay as they are. */
export const activityText = defineMessages({
  conflict: {
    zh: '活动 {activity} 仍在进行；请先结束它（room-agent activity end）',
    en: 'activity {activity} is still running; end it first (room-agent activity end)',
  },
  described: {
    zh: '"{title}"（{type}，编号 {id}，开始于 {started}）',
    en: '"{title}" ({type}, id {id}, started {started})',
  },
  noneRunning: { zh: '当前没有进行中的活动', en: 'no activity is running' },
  otherRunning: {
    zh: '活动 {id} 不在进行中（进行中的是 {activity}）',
    en: 'activity {id} is not running (the running one is {activity})',
  },
  planInvalid: { zh: '活动计划无效：{problems}', en: 'invalid activity plan: {problems}' },
  planDiffers: {
    zh: '计划 {id} 已存在（{state}）且内容不同；请先取消它，再用新的编号发送修改后的计划',
    en: 'plan {id} already exists ({state}) with other content; cancel it and send the change under a new id',
  },
  planUnknown: { zh: '没有编号为 {id} 的活动计划', en: 'no activity plan with id {id}' },
  planNotScheduled: {
    zh: '计划 {id} 已是 {state} 状态；只有尚未开始的计划才能改为 {target}',
    en: 'plan {id} is already {state}; only a scheduled plan can be {target}',
  },
});
