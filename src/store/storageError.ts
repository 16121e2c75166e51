import { accessSync, constants } from 'node:fs';
import { AgentError, ErrorCode, isAgentError } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { classifyStorageFault, type StorageFault } from './sqliteFault.js';

const t = defineMessages({
  low: {
    zh: '数据目录 {dir} 所在存储的剩余空间少于保留量（{reserve}）：已停止拍照，已同步的记录提前清理，以保证日志可写；请释放空间或更换更大的存储卡',
    en: 'less than the reserve ({reserve}) is free on the storage of the data directory {dir}: photos stop and acknowledged entries are pruned early to keep the journal writable; free space or replace the card with a larger one',
  },
  full: {
    zh: '数据目录 {dir} 所在的存储已满：请释放空间（删除该存储上不需要的文件，切勿删除日志文件），或更换更大的存储卡',
    en: 'the storage of the data directory {dir} is full: free space (delete files on it that are not needed, never the journal files) or replace the card with a larger one',
  },
  readOnly: {
    zh: '数据目录 {dir} 所在的文件系统是只读的（存储卡出错后内核会将其改为只读）：请更换存储卡；卡上已有的记录仍可读取和同步',
    en: 'the data directory {dir} is on a read-only file system (the kernel makes a failing card read-only): replace the card; what is on it can still be read and synced',
  },
});

/**
 * True when the file system under `dir` refuses writes. access(2) answers EROFS for root as well,
 * which no permission check of a file would tell; a missing directory is not a read-only one.
 */
export function readOnlyMount(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS';
  }
}

/** The fault behind `error` on storage under `dir`: a read-only mount turns SQLite's generic open and I/O errors into read-only. */
export function storageFaultOf(error: unknown, dir: string): StorageFault {
  const fault = classifyStorageFault(error);
  return fault === 'other' ? classifyStorageFault(error, { readOnlyMount: readOnlyMount(dir) }) : fault;
}

/** The words for a data directory low on space, full or read-only, in the reader's language. */
export function storageAdvice(fault: 'low' | 'full' | 'read-only', dir: string, reserveBytes = 0): string {
  if (fault === 'low') return t('low', { dir, reserve: byteSize(reserveBytes) });
  return fault === 'full' ? t('full', { dir }) : t('readOnly', { dir });
}

/**
 * `error` restated as StorageFull or StorageReadOnly when that is what it is, with the fix in
 * words; undefined for every other error (the caller reports those as before).
 */
export function storageError(error: unknown, dir: string): AgentError | undefined {
  if (isAgentError(error, ErrorCode.StorageFull) || isAgentError(error, ErrorCode.StorageReadOnly)) return error;
  const fault = storageFaultOf(error, dir);
  if (fault !== 'full' && fault !== 'read-only') return undefined;
  const code = fault === 'full' ? ErrorCode.StorageFull : ErrorCode.StorageReadOnly;
  const detail = error instanceof Error ? error.message : String(error);
  return new AgentError(code, `${storageAdvice(fault, dir)} (${detail})`, { dir, fault }, { cause: error });
}

/** 64 MiB, 512 KiB: a reserve as a person reads it. */
function byteSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
