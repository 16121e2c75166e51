import { defineMessages } from '../i18n.js';

/**
 * The wording of configuration problem lines. Key paths, file names and values are inserted
 * unchanged in both languages, so a technician can paste a line into a ticket and grep for it.
 */
export const problemText = defineMessages({
  required: { zh: '{path}: 缺少必填项', en: '{path}: required' },
  wrongType: { zh: '{path}: 应为{expected}，实际为 {found}', en: '{path}: expected {expected}, found {found}' },
  notOneOf: { zh: '{path}: {value} 不是可选值之一：{values}', en: '{path}: {value} is not one of {values}' },
  belowMinimum: { zh: '{path}: {value} 小于最小值 {limit}', en: '{path}: {value} is below the minimum {limit}' },
  aboveMaximum: { zh: '{path}: {value} 大于最大值 {limit}', en: '{path}: {value} is above the maximum {limit}' },
  notAbove: { zh: '{path}: {value} 必须大于 {limit}', en: '{path}: {value} must be above {limit}' },
  notBelow: { zh: '{path}: {value} 必须小于 {limit}', en: '{path}: {value} must be below {limit}' },
  tooShort: { zh: '{path}: {value} 短于最小长度 {limit}', en: '{path}: {value} is shorter than the minimum length {limit}' },
  tooLong: { zh: '{path}: {value} 长于最大长度 {limit}', en: '{path}: {value} is longer than the maximum length {limit}' },
  tooFewItems: { zh: '{path}: 有 {count} 项，少于最少 {limit} 项', en: '{path}: {count} entries are fewer than the minimum {limit}' },
  tooManyItems: { zh: '{path}: 有 {count} 项，多于最多 {limit} 项', en: '{path}: {count} entries are more than the maximum {limit}' },
  notFormat: { zh: '{path}: {value} 不是{expected}', en: '{path}: {value} is not {expected}' },
  unknownKey: { zh: '{path}: 未知的键', en: '{path}: unknown key' },
  unknownKeySuggestion: { zh: '{path}: 未知的键（是否应为 {suggestion}？）', en: '{path}: unknown key (did you mean {suggestion}?)' },
  other: { zh: '{path}: {message}', en: '{path}: {message}' },
  yamlSyntax: { zh: '{file}:{line}:{column}: YAML 语法错误：{reason}', en: '{file}:{line}:{column}: YAML syntax error: {reason}' },
  unreadable: { zh: '{file}: 无法读取：{reason}', en: '{file}: cannot read: {reason}' },
  unwritable: { zh: '{file}: 无法写入：{reason}', en: '{file}: cannot write: {reason}' },
  versionTooNew: {
    zh: 'version: {value} 比本程序支持的版本 {supported} 更新；请升级 room-agent',
    en: 'version: {value} is newer than this room-agent understands ({supported}); upgrade room-agent',
  },
  versionNoMigration: {
    zh: 'version: {value} 无法迁移到当前版本 {supported}',
    en: 'version: {value} has no migration to the current version {supported}',
  },
  overrideForbiddenKey: {
    zh: '{path}: 远程覆盖不能修改此项（它决定覆盖文件本身的位置）',
    en: '{path}: cannot be set by a remote override (it decides where the override file itself lives)',
  },
});

/** Names of the types zod expects, as the object of "expected …". */
export const typeName = defineMessages({
  string: { zh: '字符串', en: 'a string' },
  number: { zh: '数字', en: 'a number' },
  int: { zh: '整数', en: 'a whole number' },
  boolean: { zh: 'true 或 false', en: 'true or false' },
  object: { zh: '映射（键: 值）', en: 'a mapping (key: value)' },
  array: { zh: '列表', en: 'a list' },
  emptyValue: { zh: '空值', en: 'an empty value' },
  hidden: { zh: '[已隐藏]', en: '[hidden]' },
  topLevel: { zh: '(顶层)', en: '(top level)' },
});

/** Operating-system reasons a file cannot be read or written, by errno code. */
const ERRNO_WORDS = {
  ENOENT: { zh: '文件或目录不存在', en: 'no such file or directory' },
  EACCES: { zh: '权限不足', en: 'permission denied' },
  EPERM: { zh: '操作不被允许', en: 'operation not permitted' },
  EISDIR: { zh: '这是一个目录', en: 'is a directory' },
  ENOTDIR: { zh: '路径中有一部分不是目录', en: 'not a directory' },
  ELOOP: { zh: '符号链接层数过多', en: 'too many levels of symbolic links' },
  ENAMETOOLONG: { zh: '文件名过长', en: 'file name too long' },
  EIO: { zh: '输入输出错误', en: 'input/output error' },
  EROFS: { zh: '只读文件系统', en: 'read-only file system' },
  ENOSPC: { zh: '磁盘空间不足', en: 'no space left on device' },
};
const errnoText = defineMessages(ERRNO_WORDS);

/** "no such file or directory (ENOENT)"; codes without a wording keep the system's message. */
export function describeErrno(error: NodeJS.ErrnoException): string {
  const code = error.code ?? 'EUNKNOWN';
  const words = Object.hasOwn(ERRNO_WORDS, code) ? errnoText(code as keyof typeof ERRNO_WORDS) : error.message;
  return `${words} (${code})`;
}
