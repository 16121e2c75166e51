import { defineMessages } from '../i18n.js';
import { errnoCause } from './atomicWrite.js';

const t = defineMessages({
  noDirectory: { zh: '所在目录不存在', en: 'its directory does not exist' },
  noFile: { zh: '文件不存在', en: 'there is no such file' },
  notDirectoryOnPath: { zh: '路径中有一部分不是目录', en: 'a part of the path is not a directory' },
  noPermission: { zh: '没有权限', en: 'permission denied' },
  isDirectory: { zh: '这是一个目录', en: 'it is a directory' },
});

/** Whether the command meant to create the file (an --out) or read it (a --from). */
export type FileUse = 'create' | 'read';

/**
 * Why a file named on the command line could not be created or read, in the technician's words
 * where the cause is common. The errno text is not shown for those: it names the syscall and, for an
 * atomic write, the temporary file, neither of which the technician typed.
 */
export function fileProblem(error: unknown, use: FileUse): string {
  const errno = errnoCause(error);
  switch (errno?.code) {
    case 'ENOENT':
      return t(use === 'create' ? 'noDirectory' : 'noFile');
    case 'ENOTDIR':
      return t(use === 'create' ? 'noDirectory' : 'notDirectoryOnPath');
    case 'EACCES':
    case 'EPERM':
      return t('noPermission');
    case 'EISDIR':
      return t('isDirectory');
    default:
      return (errno ?? (error as Error)).message;
  }
}
