import { defineMessages } from '../i18n.js';

/**
 * The wording of configuration problem lines beyond the shared ones of src/util/issueMessages.ts.
 * Key paths, file names and values are inserted unchanged in both languages.
 */
export const problemText = defineMessages({
  unknownKeySuggestion: {
    zh: '{path}: 未知的键（是否应为 {suggestion}？）',
    en: '{path}: unknown key (did you mean {suggestion}?)',
  },
  yamlSyntax: {
    zh: '{file}:{line}:{column}: YAML 语法错误：{reason}',
    en: '{file}:{line}:{column}: YAML syntax error: {reason}',
  },
  yamlAlias: {
    zh: '别名 *{name} 没有对应的锚点（以 "*" 开头的值须加引号）',
    en: 'alias *{name} has no anchor (quote a value that starts with "*")',
  },
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
