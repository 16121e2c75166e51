import { defineMessages } from '../../i18n.js';

/**
 * What the county's operators read in a command's error reply, and what a technician reads when
 * county.centerPublicKey is unusable. Ids, types, key paths and values stay as they are.
 */
export const commandText = defineMessages({
  tooLarge: {
    zh: '命令有 {size} 字节，超过上限 {max} 字节，未解析',
    en: 'the command is {size} bytes, more than the {max} accepted; it was not parsed',
  },
  notUtf8: { zh: '命令不是 UTF-8 文本', en: 'the command is not UTF-8 text' },
  notJson: { zh: '命令不是 JSON：{reason}', en: 'the command is not JSON: {reason}' },
  tooDeep: {
    zh: '命令中的数组和对象嵌套超过 {max} 层，未进一步检查',
    en: 'the command nests arrays and objects deeper than {max} levels; it was not examined further',
  },
  malformed: { zh: '命令格式不正确：{problems}', en: 'the command is not a valid command envelope: {problems}' },
  wrongDevice: {
    zh: '命令发给设备 {target}，而本设备是 {deviceId}',
    en: 'the command is for device {target}, but this is {deviceId}',
  },
  unknownActivity: {
    zh: '本活动室没有编号为 {activityId} 的活动',
    en: 'this room has no activity {activityId}',
  },
  recordingRange: { zh: '不能小于 fromIndex', en: 'must not be below fromIndex' },
  unknownCommand: {
    zh: '未知的命令类型 "{type}"；已知类型：{known}',
    en: 'unknown command type "{type}"; known types: {known}',
  },
  unsigned: {
    zh: '{type} 命令必须带有中心的签名（已配置 county.centerPublicKey），但该命令没有签名',
    en: '{type} commands must carry the center’s signature (county.centerPublicKey is configured), but this one has none',
  },
  badSignature: {
    zh: '签名无法用 county.centerPublicKey（{keyId}）验证：命令由其他密钥签名，或签名后被改动',
    en: 'the signature does not verify with county.centerPublicKey ({keyId}): the command was signed by another key or changed after signing',
  },
  invalidParams: { zh: '{type} 的参数不正确：{problems}', en: '{type}: invalid params: {problems}' },
  expired: {
    zh: '命令已于中心时间 {expiresAt} 过期；中心当前时间约为 {now}',
    en: 'the command expired at {expiresAt} (center time); the center’s time is now about {now}',
  },
  idReused: {
    zh: '命令编号 {id} 已用于另一条内容不同的命令（{type}）；中心必须使用新编号',
    en: 'command id {id} was already used for a different command ({type}); the center must use a new id',
  },
  staleId: {
    zh: '命令编号 {id} 小于本设备已执行的最新命令编号 {highest}，且从未收到过：作为过期命令拒绝',
    en: 'command id {id} is below the newest command id this device ran ({highest}) and was never seen before: refused as stale',
  },
  idTooFar: {
    zh: '命令编号 {id} 比本设备从中心确认消息得知的中心时间（{now}）超前 {minutes} 分钟以上：中心按自己的时钟（毫秒）分配编号，不会发出这样的编号，拒绝执行',
    en: 'command id {id} is more than {minutes} minutes ahead of the center’s time ({now}) as this device learned it from the center’s acknowledgements: the center issues ids from its clock in ms and issued no such id',
  },
  interrupted: {
    zh: '该命令执行期间代理程序停止了，结果未知；请查看日志（journal）中的记录后，用新编号重新发送',
    en: 'the agent stopped while this command ran, so its outcome is unknown; check the journal, then send it again with a new id',
  },
  internal: {
    zh: '命令执行时发生内部错误，详见设备日志',
    en: 'the command failed with an internal error; see the agent’s log',
  },
  centerKeyUnreadable: {
    zh: 'county.centerPublicKey 不是 base64 编码的 DER（SPKI）公钥：{reason}；请向县中心索取其 Ed25519 公钥',
    en: 'county.centerPublicKey is not a DER (SPKI) public key in base64: {reason}; ask the county center for its Ed25519 public key',
  },
  centerKeyType: {
    zh: 'county.centerPublicKey 是 {keyType} 密钥，但命令签名需要 Ed25519 密钥；请向县中心索取其 Ed25519 公钥',
    en: 'county.centerPublicKey is a {keyType} key, but command signatures need an Ed25519 key; ask the county center for its Ed25519 public key',
  },
  unknownCamera: {
    zh: '本会议室没有名为 "{camera}" 的摄像头；已配置：{names}',
    en: 'this room has no camera "{camera}"; configured: {names}',
  },
  noCameras: { zh: '（无）', en: '(none)' },
  configKeyNotAllowed: {
    zh: '中心不能修改此设置；可修改：{allowed}',
    en: 'not a setting the center may change; allowed: {allowed}',
  },
  configNoValues: { zh: '至少需要一项设置', en: 'at least one setting is needed' },
  duplicateSlot: { zh: '槽位 {slot} 已在前面出现', en: 'slot {slot} appears earlier in the list' },
  duplicateFinger: {
    zh: '成员 {memberId} 的 {finger} 已在前面出现',
    en: '{finger} of member {memberId} appears earlier in the list',
  },
});
