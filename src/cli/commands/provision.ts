import { readFileSync } from 'node:fs';
import { ConfigDraft, type DraftPath } from '../../config/configDraft.js';
import { ConfigError } from '../../config/configError.js';
import { DEFAULT_SECRETS_FILE, readSecret, secretValueProblem, writeSecret } from '../../config/secretsFile.js';
import { BAUD_RATES, type Config } from '../../config/schema.js';
import { maskCameraText } from '../../cameras/mask.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { ensureDeviceKeyFile, publicKeyFingerprint } from '../../journal/deviceKeyFile.js';
import type { PortProbeResult } from '../../scanner/portProbe.js';
import { checkBroker } from '../../sync/link/brokerCheck.js';
import { brokerCheckLine } from '../../sync/link/brokerCheckText.js';
import { resolveServiceUser, type ServiceUser } from '../../util/serviceUser.js';
import { parseCommandArgs } from '../args.js';
import { DEFAULT_CONFIG_PATH, type CliCommand } from '../command.js';
import { readFlagFile } from '../flagFile.js';
import { Prompter } from '../prompt.js';
import { doctorReportFor, printDoctorReport } from './doctor.js';
import { probeCameras } from './provisionCameras.js';
import { onlyModule, probeNamedPort, surveyLines, surveyPorts } from './provisionScanner.js';

const PASSWORD_VARIABLE = 'ROOM_AGENT_COUNTY_PASSWORD';

const t = defineMessages({
  notRoot: {
    zh: 'provision 需要 root 权限（它写入 /etc/room-agent 并把数据目录交给服务用户）：请用 sudo 运行',
    en: 'provision needs root (it writes /etc/room-agent and hands the data directory to the service user): run it with sudo',
  },
  noUser: {
    zh: '服务用户 {user} 不存在：请先创建（sudo useradd --system --home /var/lib/room-agent --shell /usr/sbin/nologin {user}），或用 --service-user 指定',
    en: 'the service user {user} does not exist: create it (sudo useradd --system --home /var/lib/room-agent --shell /usr/sbin/nologin {user}) or name another with --service-user',
  },
  badCamera: {
    zh: '--camera 应为 名称=rtsp://…，而不是 "{value}"',
    en: '--camera must be NAME=rtsp://…, not "{value}"',
  },
  badDriver: { zh: '--scanner-driver 只能是 r30x 或 gt521', en: '--scanner-driver must be r30x or gt521' },
  room: { zh: '房间编号（device.id，由县里分配）', en: 'room code (device.id, assigned by the county)' },
  broker: { zh: '县级 MQTT 服务器地址（county.url）', en: 'county MQTT broker URL (county.url)' },
  username: { zh: 'MQTT 用户名（county.username）', en: 'MQTT user name (county.username)' },
  password: { zh: 'MQTT 密码', en: 'MQTT password' },
  caFile: {
    zh: '县级 CA 证书文件（county.caFile，"-" 表示不用）',
    en: 'county CA file (county.caFile, "-" for none)',
  },
  certFile: {
    zh: '客户端证书文件（county.certFile，"-" 表示不用）',
    en: 'client certificate file (county.certFile, "-" for none)',
  },
  keyFile: {
    zh: '客户端私钥文件（county.keyFile，"-" 表示不用）',
    en: 'client key file (county.keyFile, "-" for none)',
  },
  centerKey: {
    zh: '县中心公钥（county.centerPublicKey，"-" 表示不用）',
    en: 'the center\'s public key (county.centerPublicKey, "-" for none)',
  },
  scannerSurvey: { zh: '指纹模块端口：', en: 'fingerprint module ports:' },
  scanner: {
    zh: '指纹模块端口（路径，或 none 表示不用）',
    en: 'fingerprint module port (a path, or none)',
  },
  cameraUrl: { zh: '摄像头 {name} 的 RTSP 地址', en: 'RTSP URL of camera {name}' },
  newCamera: {
    zh: '新增摄像头名称（回车表示不再添加）',
    en: 'name of a camera to add (Enter for none)',
  },
  refused: { zh: '不接受：{problem}', en: 'refused: {problem}' },
  keepUnreachable: {
    zh: '仍然保存这些设置吗（4G 今天可能不通）？[y/N]',
    en: 'keep these settings anyway (the uplink may be down today)? [y/N]',
  },
  unreachable: {
    zh: '{line}。如确需保存（例如今天 4G 不通），请加 --allow-unreachable',
    en: '{line}. To keep the settings anyway (the uplink may be down today), add --allow-unreachable',
  },
  keptUnreachable: { zh: '已保存，尽管暂时连不上服务器', en: 'kept although the broker cannot be reached now' },
  configWritten: { zh: '配置已写入 {file}', en: 'configuration written: {file}' },
  configSame: { zh: '配置未改变：{file}', en: 'configuration unchanged: {file}' },
  secretWritten: { zh: '密码已写入 {file}（仅 root 可读）', en: 'password written to {file} (root only)' },
  secretSame: { zh: '密码未改变：{file}', en: 'password unchanged: {file}' },
  keyCreated: { zh: '已为 {user} 创建设备密钥 {file}', en: 'device key created for {user}: {file}' },
  keyKept: { zh: '保留已有的设备密钥 {file}', en: 'device key kept: {file}' },
  fingerprint: {
    zh: '请把本设备公钥指纹报给县里登记：\n  房间 {room}\n  密钥编号 {keyId}\n  SHA-256 {fingerprint}\n  公钥 {publicKey}',
    en: "give the county this device's public key fingerprint to register:\n  room {room}\n  key id {keyId}\n  SHA-256 {fingerprint}\n  public key {publicKey}",
  },
  doctor: { zh: 'room-agent doctor：', en: 'room-agent doctor:' },
  next: {
    zh: '下一步：sudo systemctl restart room-agent，然后运行 room-agent status',
    en: 'next: sudo systemctl restart room-agent, then room-agent status',
  },
});

const options = {
  config: { type: 'string' },
  secrets: { type: 'string' },
  room: { type: 'string' },
  'data-dir': { type: 'string' },
  broker: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'cert-file': { type: 'string' },
  'key-file': { type: 'string' },
  'center-key': { type: 'string' },
  scanner: { type: 'string' },
  'scanner-driver': { type: 'string' },
  camera: { type: 'string', multiple: true },
  'allow-unreachable': { type: 'boolean' },
  'non-interactive': { type: 'boolean' },
  'service-user': { type: 'string' },
  'dev-dir': { type: 'string' },
  'proc-dir': { type: 'string' },
  'sys-dir': { type: 'string' },
  cmdline: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

/** A setting answered by a flag or at a prompt: where it goes and what to ask. */
interface Field {
  path: DraftPath;
  flag: keyof Values;
  question: () => string;
  /** "-" removes an optional setting. */
  optional?: boolean;
  /** Asked at the terminal; otherwise a flag only. */
  asked: boolean;
}

const COUNTY_FIELDS: readonly Field[] = [
  { path: ['county', 'url'], flag: 'broker', question: () => t('broker'), asked: true },
  { path: ['county', 'username'], flag: 'username', question: () => t('username'), asked: true },
  { path: ['county', 'caFile'], flag: 'ca-file', question: () => t('caFile'), optional: true, asked: true },
  { path: ['county', 'certFile'], flag: 'cert-file', question: () => t('certFile'), optional: true, asked: true },
  { path: ['county', 'keyFile'], flag: 'key-file', question: () => t('keyFile'), optional: true, asked: true },
];

const DEVICE_FIELDS: readonly Field[] = [
  { path: ['device', 'id'], flag: 'room', question: () => t('room'), asked: true },
  { path: ['device', 'dataDir'], flag: 'data-dir', question: () => '', asked: false },
];

const KEY_FIELDS: readonly Field[] = [
  {
    path: ['county', 'centerPublicKey'],
    flag: 'center-key',
    question: () => t('centerKey'),
    optional: true,
    asked: true,
  },
];

/** As config check writes a key path: `county.url`, `cameras[0].url`. */
function keyPathText(path: DraftPath): string {
  return path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

/** The problem lines that are about `path` (config check's lines start with the key path). */
function problemsAbout(problems: readonly string[], path: DraftPath): string[] {
  const key = keyPathText(path);
  return problems.filter((problem) => problem.startsWith(`${key}:`) || problem.startsWith(`${key} `));
}

/**
 * One provisioning run: the answers gathered into a draft of the configuration, each checked as it
 * comes by config check's own schema; interactive at a terminal, from flags otherwise.
 */
class Provisioning {
  readonly draft: ConfigDraft;
  password: string | undefined;
  private readonly invalid: string[] = [];
  readonly askedCameras: string[] = [];

  constructor(
    readonly values: Values,
    readonly prompter: Prompter | undefined,
    readonly secretsFile: string,
  ) {
    this.draft = ConfigDraft.open(values.config ?? DEFAULT_CONFIG_PATH);
    this.password = readSecret(secretsFile, PASSWORD_VARIABLE);
    // The password belongs in the secrets file only: one found in the config moves there.
    const inConfig = this.draft.value(['county', 'password']);
    if (inConfig !== undefined) {
      this.password ??= inConfig;
      this.draft.set(['county', 'password'], undefined);
    }
  }

  private current(path: DraftPath): string | undefined {
    return this.draft.value(path);
  }

  /** Sets one answer if it passes the schema; returns the problems that refused it. */
  private apply(path: DraftPath, answer: string | undefined): string[] {
    const before = this.draft.text;
    this.draft.set(path, answer);
    const checked = this.draft.check(this.password);
    const problems = checked.ok ? [] : problemsAbout(checked.problems, path);
    if (problems.length > 0) this.draft.restore(before);
    return problems;
  }

  /** A flag's refused value ends the run (exit 64) with all the others; a typed one is said and asked again. */
  private refuse(problems: readonly string[], fromFlag: boolean): void {
    if (fromFlag || this.prompter === undefined) this.invalid.push(...problems);
    else for (const problem of problems) this.prompter.say(t('refused', { problem }));
  }

  async field(field: Field): Promise<void> {
    const flagged = this.values[field.flag];
    for (;;) {
      const current = this.current(field.path);
      let answer: string | undefined;
      if (typeof flagged === 'string') answer = flagged;
      else if (this.prompter !== undefined && field.asked)
        answer = await this.prompter.ask(field.question(), current, current && maskCameraText(current));
      else return;
      if (answer === current || (answer === '' && current === undefined)) return;
      const value = field.optional === true && (answer === '-' || answer === '') ? undefined : answer;
      const problems = this.apply(field.path, value);
      if (problems.length === 0) return;
      this.refuse(problems, typeof flagged === 'string');
      // A flag cannot be asked again: its problem is reported with the others at the end.
      if (typeof flagged === 'string' || this.prompter === undefined) return;
    }
  }

  async passwordField(): Promise<void> {
    let answer = this.values.password;
    for (;;) {
      if (answer === undefined && this.prompter !== undefined)
        answer = await this.prompter.askSecret(t('password'), this.password !== undefined);
      if (answer === undefined) return;
      const problem = secretValueProblem(answer);
      if (problem === undefined) {
        this.password = answer;
        return;
      }
      this.refuse([`county.password: ${problem}`], this.values.password !== undefined);
      if (this.prompter === undefined || this.values.password !== undefined) return;
      answer = undefined;
    }
  }

  async cameras(): Promise<void> {
    for (const spec of this.values.camera ?? []) {
      const match = /^([^=]+)=(.+)$/.exec(spec);
      if (match === null)
        throw new AgentError(ErrorCode.ProvisionAnswerInvalid, t('badCamera', { value: maskCameraText(spec) }));
      this.refuse(this.camera(match[1]!, match[2]!), true);
    }
    if (this.prompter === undefined || this.values.camera !== undefined) return;
    const count = this.draft.length(['cameras']);
    for (let index = 0; index < count; index++) {
      const name = this.current(['cameras', index, 'name']);
      if (name === undefined) continue;
      const before = this.current(['cameras', index, 'url']);
      await this.field({
        path: ['cameras', index, 'url'],
        flag: 'camera',
        question: () => t('cameraUrl', { name }),
        asked: true,
      });
      // Only a camera whose address is new is read: an unchanged one was checked when it was set.
      if (this.current(['cameras', index, 'url']) !== before) this.askedCameras.push(name);
    }
    for (;;) {
      const name = await this.prompter.ask(t('newCamera'));
      if (name === '') return;
      const url = await this.prompter.ask(t('cameraUrl', { name }));
      this.refuse(this.camera(name, url), false);
    }
  }

  /** A camera by name: its URL changed where it is listed, appended otherwise; returns the problems that refused it. */
  private camera(name: string, url: string): string[] {
    const count = this.draft.length(['cameras']);
    const index = Array.from({ length: count }, (_, i) => this.current(['cameras', i, 'name'])).indexOf(name);
    let problems: string[];
    if (index !== -1) {
      problems = this.apply(['cameras', index, 'url'], url);
    } else {
      const before = this.draft.text;
      this.draft.append(['cameras'], { name, url });
      const checked = this.draft.check(this.password);
      problems = checked.ok ? [] : checked.problems.filter((problem) => problem.startsWith('cameras['));
      if (problems.length > 0) this.draft.restore(before);
    }
    if (problems.length === 0) this.askedCameras.push(name);
    return problems;
  }

  async scanner(roots: Parameters<typeof surveyPorts>[0], dataDir: string): Promise<void> {
    const flag = this.values.scanner;
    const driver = this.values['scanner-driver'];
    if (driver !== undefined && driver !== 'r30x' && driver !== 'gt521')
      throw new AgentError(ErrorCode.ProvisionAnswerInvalid, t('badDriver'));
    if (flag === 'none') return this.setScanner(undefined);
    if (flag !== undefined && flag !== 'auto' && driver !== undefined) {
      this.draft.set(['scanner', 'driver'], driver);
      this.draft.set(['scanner', 'transport'], 'serial');
      this.draft.set(['scanner', 'path'], flag);
      return;
    }
    if (flag === undefined && this.prompter === undefined) return;
    const survey = await surveyPorts(roots, dataDir);
    const out = this.prompter ?? { say: (line: string) => process.stdout.write(`${line}\n`) };
    out.say(t('scannerSurvey'));
    for (const line of surveyLines(survey)) out.say(line);
    if (flag === 'auto') return this.setScanner(onlyModule(survey));
    if (flag !== undefined) return this.setScanner(await probeNamedPort(flag, survey, dataDir));
    for (;;) {
      const found = survey.filter((result) => result.info !== undefined);
      const offered = found.length === 1 ? found[0]!.candidate.path : this.current(['scanner', 'path']);
      const answer = await this.prompter!.ask(t('scanner'), offered);
      if (answer === 'none') return this.setScanner(undefined);
      if (answer === '' || answer === this.current(['scanner', 'path'])) return;
      try {
        return this.setScanner(await probeNamedPort(answer, survey, dataDir));
      } catch (error) {
        if (!(error instanceof AgentError)) throw error;
        this.prompter!.say(t('refused', { problem: error.message }));
      }
    }
  }

  private setScanner(found: PortProbeResult | undefined): void {
    if (found?.info === undefined) {
      this.draft.set(['scanner', 'driver'], 'none');
      return;
    }
    const { candidate, info } = found;
    this.draft.set(['scanner', 'driver'], info.family);
    this.draft.set(['scanner', 'transport'], candidate.transport);
    if (candidate.transport === 'serial') this.draft.set(['scanner', 'path'], candidate.path);
    else this.draft.set(['scanner', 'hid', 'path'], candidate.path);
    if ((BAUD_RATES as readonly number[]).includes(info.baudRate))
      this.draft.set(['scanner', 'baudRate'], info.baudRate);
  }

  /** Every answer checked together, as config check would: throws the problems (exit 64 for answers). */
  checked(): Config {
    if (this.invalid.length > 0) throw new ConfigAnswerError(this.invalid);
    const checked = this.draft.check(this.password);
    if (!checked.ok) throw new ConfigError(ErrorCode.ConfigInvalid, checked.problems, { file: this.draft.file });
    return checked.config;
  }

  /** The county questions again, after an unreachable broker the technician did not keep. */
  async countyAgain(): Promise<void> {
    for (const field of COUNTY_FIELDS) await this.field(field);
    this.values.password = undefined;
    await this.passwordField();
  }
}

/** Answers refused by the schema, all at once: exit 64 with config check's lines. */
class ConfigAnswerError extends AgentError {
  constructor(readonly problems: readonly string[]) {
    super(ErrorCode.ProvisionAnswerInvalid, problems.join('\n'), { problems });
  }
}

function serviceUser(spec: string): ServiceUser {
  const user = resolveServiceUser(spec);
  if (user === undefined) throw new AgentError(ErrorCode.ProvisionNotPermitted, t('noUser', { user: spec }));
  return user;
}

async function confirmBroker(run: Provisioning, config: Config): Promise<Config> {
  for (;;) {
    const result = await checkBroker({ county: config.county, deviceId: config.device.id });
    const line = brokerCheckLine(result);
    if (result.ok) {
      process.stdout.write(`${line}\n`);
      return config;
    }
    if (run.values['allow-unreachable'] === true) {
      process.stdout.write(`${line}\n${t('keptUnreachable')}\n`);
      return config;
    }
    if (run.prompter === undefined)
      throw new AgentError(ErrorCode.ProvisionBrokerUnreachable, t('unreachable', { line }), { kind: result.kind });
    run.prompter.say(line);
    if (/^y/i.test(await run.prompter.ask(t('keepUnreachable')))) return config;
    await run.countyAgain();
    config = run.checked();
  }
}

/**
 * What comes after the files are written: the doctor's whole check of what was just provisioned,
 * then what to run. A failed check does not undo the provisioning (the files are right; the room
 * around them needs work): its lines say what, and the exit code stays 0.
 */
async function afterProvisioning(values: Values, config: Config, file: string): Promise<void> {
  process.stdout.write(`${t('doctor')}\n`);
  // The configuration as checked, with the password the daemon will read from the secrets file.
  printDoctorReport(await doctorReportFor({ config, path: file, overrideActive: false }, values), false);
  process.stdout.write(`${t('next')}\n`);
}

async function provision(values: Values): Promise<number> {
  if (process.getuid?.() !== 0) throw new AgentError(ErrorCode.ProvisionNotPermitted, t('notRoot'));
  const user = serviceUser(values['service-user'] ?? 'room-agent');
  const interactive = values['non-interactive'] !== true && process.stdin.isTTY === true;
  const fromFile = readFlagFile('provision', '--password-file', values['password-file']);
  // A file's last line ends in a newline that is no part of the password.
  if (fromFile !== undefined) values.password = fromFile.toString('utf8').replace(/\r?\n$/, '');
  const prompter = interactive ? new Prompter() : undefined;
  try {
    const secretsFile = values.secrets ?? DEFAULT_SECRETS_FILE;
    const run = new Provisioning(values, prompter, secretsFile);
    for (const field of DEVICE_FIELDS) await run.field(field);
    for (const field of COUNTY_FIELDS) await run.field(field);
    await run.passwordField();
    for (const field of KEY_FIELDS) await run.field(field);
    const dataDir = run.draft.value(['device', 'dataDir']) ?? '/var/lib/room-agent';
    await run.scanner(
      {
        devDir: values['dev-dir'] ?? '/dev',
        procDir: values['proc-dir'] ?? '/proc',
        sysDir: values['sys-dir'] ?? '/sys',
        ...(values.cmdline !== undefined && { cmdline: readCmdline(values.cmdline) }),
      },
      dataDir,
    );
    await run.cameras();
    let config = run.checked();
    for (const line of await probeCameras(config, run.askedCameras)) process.stdout.write(`${line}\n`);
    config = await confirmBroker(run, config);

    const wroteSecret = run.password !== undefined && writeSecret(secretsFile, PASSWORD_VARIABLE, run.password);
    const wroteConfig = run.draft.save(user.gid);
    const key = ensureDeviceKeyFile(config.device.dataDir, user);
    const lines = [
      t(wroteConfig ? 'configWritten' : 'configSame', { file: run.draft.file }),
      ...(run.password === undefined ? [] : [t(wroteSecret ? 'secretWritten' : 'secretSame', { file: secretsFile })]),
      t(key.created ? 'keyCreated' : 'keyKept', { file: key.file, user: user.name }),
      t('fingerprint', {
        room: config.device.id,
        keyId: key.key.keyId,
        fingerprint: publicKeyFingerprint(key.key),
        publicKey: key.key.publicKey,
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await afterProvisioning(values, config, run.draft.file);
    return ExitCode.Ok;
  } finally {
    prompter?.close();
  }
}

function readCmdline(file: string): string {
  return readFileSync(file, 'utf8');
}

export const provisionCommand: CliCommand = {
  path: ['provision'],
  synopsis:
    '[--config FILE] [--secrets FILE] [--room ID] [--broker URL] [--username NAME] [--password-file F | --password PW] [--ca-file F] [--cert-file F] [--key-file F] [--center-key KEY] [--scanner PATH|auto|none] [--scanner-driver r30x|gt521] [--camera NAME=URL]… [--allow-unreachable] [--non-interactive] [--service-user NAME|UID:GID]',
  summary: {
    zh: '一次性设置房间：编号、县级服务器、中心公钥、指纹模块、摄像头',
    en: 'set a room up in one visit: room code, county broker, center key, scanner, cameras',
  },
  async run(args) {
    try {
      return await provision(parseCommandArgs('provision', args, options).values);
    } catch (error) {
      // As config check prints them: one line per problem, nothing around them.
      if (!(error instanceof ConfigAnswerError)) throw error;
      process.stderr.write(error.problems.map((problem) => `${problem}\n`).join(''));
      return ExitCode.Usage;
    }
  },
};
