import { existsSync, statSync } from 'node:fs';
import { brokerReady, connectBroker, nextConnect, publisher, type BrokerOptions } from '../../center/broker.js';
import { CommandLog } from '../../center/commandLog.js';
import { CommandSender } from '../../center/commands.js';
import { CountyCenter } from '../../center/countyCenter.js';
import { openCenterDatabase } from '../../center/database.js';
import { receivedSegments, type ReceivedSegment } from '../../center/recordings.js';
import { LiveView } from '../../center/liveView.js';
import { loadCenterKey } from '../../center/signing.js';
import { checkExposure, parseHttpAddress } from '../../center/web/access.js';
import { livePlaylists } from '../../center/web/liveVideo.js';
import { webText } from '../../center/web/messages.js';
import { CenterWebServer } from '../../center/web/server.js';
import { waitForStopSignal } from '../../daemon/lifecycle.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { generateDeviceKey } from '../../journal/keyCrypto.js';
import { writeKeyFile } from '../../journal/keys.js';
import { createRootLogger, createSilentLogger } from '../../log.js';
import { brokerForDisplay } from '../../sync/link/brokerUrl.js';
import { roomTopics } from '../../sync/protocol/topics.js';
import { parseCommandArgs, parseSeq } from '../args.js';
import type { CliCommand } from '../command.js';
import { centerHeads } from './centerHeads.js';
import { readFlagFile, unreadableFlagFile } from '../flagFile.js';
import { fileProblem } from '../../util/fileProblem.js';

const t = defineMessages({
  required: { zh: '{command}：缺少 {flag}', en: '{command}: {flag} is required' },
  badUrl: {
    zh: '{command}：--broker 必须是 mqtt://、mqtts://、ws:// 或 wss:// 地址，而不是 "{url}"',
    en: '{command}: --broker must be an mqtt://, mqtts://, ws:// or wss:// URL, got "{url}"',
  },
  badParams: {
    zh: '{command}：--params 必须是 JSON 对象：{reason}',
    en: '{command}: --params must be a JSON object: {reason}',
  },
  viewBoth: { zh: '{command}：--view 与 --no-view 只能选一个', en: '{command}: give --view or --no-view, not both' },
  keyExists: {
    zh: 'center keygen：{file} 已存在；不会覆盖现有密钥（各活动室配置的公钥依赖它）',
    en: 'center keygen: {file} exists; an existing key is never overwritten (every room configured its public key)',
  },
  keyWritten: {
    zh: '中心签名密钥已写入 {file}。在各活动室配置 county.centerPublicKey 为：',
    en: 'center signing key written to {file}. Set county.centerPublicKey on every room to:',
  },
  keyNotWritten: { zh: 'center keygen：无法写入 {file}：{reason}', en: 'center keygen: cannot write {file}: {reason}' },
  noRecordings: { zh: '没有收到录像分段。', en: 'No recording segments received.' },
  recordingGroup: {
    zh: '活动室 {room}，活动 {activity}，摄像头 {camera}：收到 {count} 段',
    en: 'room {room}, activity {activity}, camera {camera}: segments received: {count}',
  },
  recordingMissing: { zh: '  缺少序号：{indexes}', en: '  missing indexes: {indexes}' },
  truncated: { zh: '（断电截断）', en: ' (truncated)' },
  replyDone: { zh: '完成：{result}', en: 'done: {result}' },
  replyError: { zh: '错误 {code}：{message}', en: 'error {code}: {message}' },
});

const brokerFlags = {
  broker: { type: 'string' },
  db: { type: 'string' },
  prefix: { type: 'string' },
  username: { type: 'string' },
  'password-file': { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'signing-key': { type: 'string' },
} as const;

type BrokerFlagValues = { [K in keyof typeof brokerFlags]?: string | undefined };

const BROKER_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:']);

function required(command: string, flag: string, value: string | undefined): string {
  if (value === undefined || value === '')
    throw new AgentError(ErrorCode.UsageError, t('required', { command, flag }), { flag });
  return value;
}

function brokerOptions(command: string, values: BrokerFlagValues): BrokerOptions {
  const url = required(command, '--broker URL', values.broker);
  if (!URL.canParse(url) || !BROKER_PROTOCOLS.has(new URL(url).protocol)) {
    const shown = brokerForDisplay(url);
    throw new AgentError(ErrorCode.UsageError, t('badUrl', { command, url: shown }), { url: shown });
  }
  // A password file holds one line; its newline is not part of the password.
  const password = readFlagFile(command, '--password-file', values['password-file'])
    ?.toString('utf8')
    .replace(/\r?\n$/, '');
  return {
    url,
    username: values.username,
    password,
    ca: readFlagFile(command, '--ca', values.ca),
    cert: readFlagFile(command, '--cert', values.cert),
    key: readFlagFile(command, '--key', values.key),
  };
}

const centerCommand: CliCommand = {
  ...centerHeads.center,
  async run(args) {
    const { values } = parseCommandArgs('center', args, {
      ...brokerFlags,
      files: { type: 'string' },
      view: { type: 'boolean' },
      'no-view': { type: 'boolean' },
      'gap-seconds': { type: 'string' },
      http: { type: 'string' },
      'http-public': { type: 'boolean' },
      'http-token-file': { type: 'string' },
      'live-hls': { type: 'string' },
    });
    if (values.view === true && values['no-view'] === true)
      throw new AgentError(ErrorCode.UsageError, t('viewBoth', { command: 'center' }));
    const broker = brokerOptions('center', values);
    const dbFile = required('center', '--db FILE', values.db);
    const gapSeconds = parseSeq('center', '--gap-seconds', values['gap-seconds'], 30);
    const signingKey = values['signing-key'] === undefined ? undefined : loadCenterKey(values['signing-key']);
    const httpAddress = values.http === undefined ? undefined : parseHttpAddress(values.http);
    const httpToken = boardToken(values['http-token-file']);
    const playlists = values['live-hls'] === undefined ? undefined : livePlaylists(values['live-hls']);
    // Refused before the center connects: an unsafe board is a usage error, not a half-started center.
    if (httpAddress !== undefined) checkExposure(httpAddress, values['http-public'] === true, httpToken);
    const view = values.view === true || (values['no-view'] !== true && process.stdout.isTTY === true);
    // With the view on stdout, only warnings go to stderr; without it, one JSON line per stored batch.
    const logger = view
      ? createRootLogger({ level: 'warn', format: 'json' }, process.stderr)
      : createRootLogger({ level: 'info', format: 'json' }, process.stdout);
    const stop = waitForStopSignal(logger);
    try {
      const center = await CountyCenter.start({
        broker,
        dbFile,
        filesDir: values.files,
        prefix: values.prefix,
        signingKey,
        gapSeconds: Math.max(1, gapSeconds),
        waitForBrokerMs: 0,
        logger,
      });
      let web: CenterWebServer | undefined;
      try {
        web =
          httpAddress === undefined
            ? undefined
            : await CenterWebServer.forCenter(center, {
                address: httpAddress,
                publicBind: values['http-public'] === true,
                token: httpToken,
                livePlaylists: playlists,
                logger,
              });
      } catch (error) {
        await center.stop();
        throw error;
      }
      if (web !== undefined) {
        logger.info({ url: web.url }, 'county board listening');
        process.stderr.write(`${webText('serving', { url: web.url })}\n`);
      }
      const liveView = view
        ? new LiveView(center, process.stdout, { intervalMs: 2000, clearScreen: process.stdout.isTTY === true })
        : undefined;
      liveView?.start();
      await stop.received;
      liveView?.stop();
      await web?.stop();
      await center.stop();
      return ExitCode.Ok;
    } finally {
      stop.dispose();
    }
  },
};

/** The board's token: from --http-token-file (one line), else ROOM_AGENT_HTTP_TOKEN; never from the command line itself. */
function boardToken(file: string | undefined): string | undefined {
  const fromFile = readFlagFile('center', '--http-token-file', file)
    ?.toString('utf8')
    .replace(/\r?\n$/, '');
  const token = fromFile ?? process.env.ROOM_AGENT_HTTP_TOKEN;
  return token === '' ? undefined : token;
}

function parseParams(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AgentError(
      ErrorCode.UsageError,
      t('badParams', { command: 'center send', reason: (error as Error).message }),
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AgentError(
      ErrorCode.UsageError,
      t('badParams', { command: 'center send', reason: JSON.stringify(value) }),
    );
  }
  return value as Record<string, unknown>;
}

const sendCommand: CliCommand = {
  ...centerHeads.send,
  async run(args) {
    const { values } = parseCommandArgs('center send', args, {
      ...brokerFlags,
      room: { type: 'string' },
      type: { type: 'string' },
      params: { type: 'string' },
      'expires-in': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    });
    const broker = brokerOptions('center send', values);
    const dbFile = required('center send', '--db FILE', values.db);
    const deviceId = required('center send', '--room ID', values.room);
    const type = required('center send', '--type TYPE', values.type);
    const params = parseParams(values.params);
    const expiresInSeconds =
      values['expires-in'] === undefined ? undefined : parseSeq('center send', '--expires-in', values['expires-in'], 0);
    const timeoutMs = parseSeq('center send', '--timeout', values.timeout, 30) * 1000;
    const signingKey = values['signing-key'] === undefined ? undefined : loadCenterKey(values['signing-key']);
    const prefix = values.prefix ?? 'county';
    const db = openCenterDatabase(dbFile);
    // Its own clean session: a running center keeps its persistent one.
    const client = await connectBroker(broker, `county-center-${prefix}-send-${process.pid}`, false);
    client.on('error', () => {});
    try {
      await brokerReady(client, nextConnect(client), broker.url, timeoutMs);
      await client.subscribeAsync(roomTopics(prefix, deviceId).replies, { qos: 1 });
      const sender = new CommandSender({
        prefix,
        log: new CommandLog(db),
        publish: publisher(client),
        signingKey,
        defaultExpirySeconds: 3600,
        logger: createSilentLogger(),
      });
      client.on('message', (_topic, payload, packet) =>
        sender.handleReply(deviceId, payload, packet.properties?.correlationData),
      );
      const reply = await sender.send(deviceId, type, params, {
        expiresInMs: expiresInSeconds === undefined ? undefined : expiresInSeconds * 1000,
        responseTimeoutMs: timeoutMs,
      });
      if (values.json === true) process.stdout.write(`${JSON.stringify(reply)}\n`);
      else if (reply.status === 'done')
        process.stdout.write(`${t('replyDone', { result: JSON.stringify(reply.result ?? null) })}\n`);
      else
        process.stdout.write(
          `${t('replyError', { code: reply.error?.code ?? '?', message: reply.error?.message ?? '' })}\n`,
        );
      return reply.status === 'done' ? ExitCode.Ok : ExitCode.DataError;
    } finally {
      await client.endAsync(true);
      db.close();
    }
  },
};

const keygenCommand: CliCommand = {
  ...centerHeads.keygen,
  run(args) {
    const { values } = parseCommandArgs('center keygen', args, { out: { type: 'string' } });
    const file = required('center keygen', '--out FILE', values.out);
    if (existsSync(file)) {
      process.stderr.write(`room-agent: ${t('keyExists', { file })}\n`);
      return ExitCode.CantCreate;
    }
    const key = generateDeviceKey();
    try {
      writeKeyFile(file, key);
    } catch (error) {
      process.stderr.write(`room-agent: ${t('keyNotWritten', { file, reason: fileProblem(error, 'create') })}\n`);
      return ExitCode.CantCreate;
    }
    process.stderr.write(`${t('keyWritten', { file })}\n`);
    process.stdout.write(`${key.publicKey}\n`);
    return ExitCode.Ok;
  },
};

/** The index numbers below a group's highest that did not arrive: parts of the meeting the center lacks. */
function missingIndexes(group: readonly ReceivedSegment[]): number[] {
  const held = new Set(group.map(({ index }) => index));
  const last = Math.max(...held);
  return Array.from({ length: last }, (_, at) => at + 1).filter((index) => !held.has(index));
}

function printRecordings(segments: readonly ReceivedSegment[]): void {
  const groups = new Map<string, ReceivedSegment[]>();
  for (const segment of segments) {
    const key = JSON.stringify([segment.deviceId, segment.activityId, segment.camera]);
    groups.set(key, [...(groups.get(key) ?? []), segment]);
  }
  for (const group of groups.values()) {
    const { deviceId, activityId, camera } = group[0]!;
    const lines = [t('recordingGroup', { room: deviceId, activity: activityId, camera, count: group.length })];
    const missing = missingIndexes(group);
    if (missing.length > 0) lines.push(t('recordingMissing', { indexes: missing.join(', ') }));
    for (const segment of group)
      lines.push(
        `  #${segment.index}  ${new Date(segment.startedWallMs).toISOString()}  ${segment.durationMs} ms  ${segment.size} B  sha256 ${segment.sha256}  ${segment.path}${segment.truncated ? t('truncated') : ''}`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

const recordingsCommand: CliCommand = {
  ...centerHeads.recordings,
  run(args) {
    const { values } = parseCommandArgs('center recordings', args, {
      db: { type: 'string' },
      room: { type: 'string' },
      activity: { type: 'string' },
      json: { type: 'boolean' },
    });
    const file = required('center recordings', '--db FILE', values.db);
    // A listing never creates a center database: a mistyped path would list nothing, silently.
    try {
      statSync(file);
    } catch (error) {
      throw unreadableFlagFile('center recordings', '--db', file, error);
    }
    const db = openCenterDatabase(file);
    try {
      const segments = receivedSegments(db, { deviceId: values.room, activityId: values.activity });
      if (values.json === true) process.stdout.write(`${JSON.stringify(segments)}\n`);
      else if (segments.length === 0) process.stdout.write(`${t('noRecordings')}\n`);
      else printRecordings(segments);
      return ExitCode.Ok;
    } finally {
      db.close();
    }
  },
};

/** By name, as src/cli/main.ts loads them: only when one is run (see centerHeads). */
export const centerCommands: Record<keyof typeof centerHeads, CliCommand> = {
  center: centerCommand,
  send: sendCommand,
  recordings: recordingsCommand,
  keygen: keygenCommand,
};
