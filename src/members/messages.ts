import { defineMessages } from '../i18n.js';

/** Roster messages a technician reads in the CLI; ids and slot numbers stay as they are. */
export const membersText = defineMessages({
  notFound: {
    zh: '名册中没有成员 {memberId}：请先与县中心同步，或用 room-agent members add {memberId} --name 姓名 添加',
    en: 'member {memberId} is not on this room’s roster; sync with the county, or add them with room-agent members add {memberId} --name NAME',
  },
});
