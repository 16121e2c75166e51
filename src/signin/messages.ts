import { defineMessages } from '../i18n.js';

/** Sign-in refusals a secretary or technician reads in the CLI; member ids stay as they are. */
export const signinText = defineMessages({
  noMember: {
    zh: '本活动室名册中没有要签到的成员 {memberId}；请用 room-agent members list 核对编号',
    en: "there is no member {memberId} to sign in on this room's roster; check the number with room-agent members list",
  },
  noConfirmer: {
    zh: '本活动室名册中没有确认签到的成员 {memberId}；请用 room-agent members list 核对编号',
    en: "there is no member {memberId} to confirm the sign-in on this room's roster; check the number with room-agent members list",
  },
  notSecretary: {
    zh: '成员 {memberId} 不是支部书记，不能确认人工签到；须由一位书记确认',
    en: 'member {memberId} is not a branch secretary, so cannot confirm a manual sign-in; a secretary must confirm it',
  },
  selfConfirmation: {
    zh: '成员不能确认自己的签到；须由另一位书记确认',
    en: 'a member cannot confirm their own sign-in; another secretary must confirm it',
  },
});
