import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { requestControl } from '../../app/cliBackend.js';
import { CLI_FILE_KINDS, sendResultSchema, uploadSummarySchema, type UploadSummary } from '../../sync/files/methods.js';
import { AgentError, ErrorCode, ExitCode, isAgentError } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';

const t = defineMessages({
  needPath: {
    zh: 'files send：需要且只需要一个文件路径，例如 room-agent files send /var/lib/room-agent/会议.jpg',
    en: 'files send: exactly one file path is required, e.g. room-agent files send /var/lib/room-agent/meeting.jpg',
  },
  badKind: {
    zh: 'files send：--kind 只能是 photo、recording 或 other',
    en: 'files send: --kind must be photo, recording or other',
  },
  queued: {
    zh: '{name}（{size} 字节）已排队上传，编号 {fileId}（日志 seq {seq}）；守护进程在连上县中心后发送',
    en: '{name} ({size} bytes) queued for upload as {fileId} (journal seq {seq}); the daemon sends it once the county link is up',
  },
  hiddenFromDaemon: {
    zh: '{problem}。守护进程看不到这个文件：它的 systemd 沙箱隐藏了 /home、/root 和 /tmp；请把文件复制到 /var/lib/room-agent 下再试',
    en: '{problem}. The daemon cannot see this file: its systemd sandbox hides /home, /root and /tmp; copy the file under /var/lib/room-agent and try again',
  },
  empty: { zh: '尚无上传记录', en: 'no uploads yet' },
  header: { zh: '编号\t状态\t已确认/大小（字节）\t类别\t名称', en: 'ID\tSTATE\tACKED/SIZE (bytes)\tKIND\tNAME' },
  pending: { zh: '等待中', en: 'pending' },
  complete: { zh: '已完成', en: 'complete' },
  failed: { zh: '失败', en: 'failed' },
});

function readableHere(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

const sendCommand: CliCommand = {
  path: ['files', 'send'],
  synopsis: 'PATH [--kind photo|recording|other] [--name NAME] [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '把一个文件排队上传到县中心（可断点续传、带校验）；不运行守护进程时只排队，守护进程启动后发送',
    en: 'queue a file for the county center (resumable, checksummed); without a daemon it is only queued and sent once the daemon runs',
  },
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'files send',
      args,
      { ...configOptions, kind: { type: 'string' }, name: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new AgentError(ErrorCode.UsageError, t('needPath'));
    const kind = z.enum(CLI_FILE_KINDS).safeParse(values.kind ?? 'other');
    if (!kind.success) throw new AgentError(ErrorCode.UsageError, t('badKind'));
    // The daemon's working directory is not the technician's.
    const path = resolve(positionals[0]!);
    let result: unknown;
    try {
      result = await requestControl(inspectConfigForCli(values), 'files.send', {
        path,
        kind: kind.data,
        name: values.name,
      });
    } catch (error) {
      if (isAgentError(error, ErrorCode.FileUnreadable) && readableHere(path)) {
        throw new AgentError(ErrorCode.FileUnreadable, t('hiddenFromDaemon', { problem: error.message }), { path });
      }
      throw error;
    }
    const queued = sendResultSchema.parse(result);
    process.stdout.write(
      `${t('queued', { name: queued.name, size: queued.size, fileId: queued.fileId, seq: queued.seq })}\n`,
    );
    return ExitCode.Ok;
  },
};

function uploadsText(uploads: UploadSummary[]): string {
  if (uploads.length === 0) return `${t('empty')}\n`;
  const lines = uploads.map((upload) =>
    [
      upload.fileId,
      t(upload.state),
      `${upload.ackedOffset}/${upload.size}`,
      upload.kind,
      upload.name,
      upload.error ?? '',
    ]
      .join('\t')
      .trimEnd(),
  );
  return `${[t('header'), ...lines].join('\n')}\n`;
}

const listCommand: CliCommand = {
  path: ['files', 'list'],
  synopsis: '[--json] [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '列出最近的文件上传及其进度（最新的在前）',
    en: 'list the latest file uploads and their progress, newest first',
  },
  async run(args) {
    const { values } = parseCommandArgs('files list', args, { ...configOptions, json: { type: 'boolean' } });
    const uploads = z
      .array(uploadSummarySchema)
      .parse(await requestControl(inspectConfigForCli(values), 'files.list', {}));
    process.stdout.write(values.json ? `${JSON.stringify(uploads, null, 2)}\n` : uploadsText(uploads));
    return ExitCode.Ok;
  },
};

export const fileCommands: readonly CliCommand[] = [sendCommand, listCommand];
