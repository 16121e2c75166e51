import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { acquireInstanceLock } from '../daemon/instanceLock.js';
import { endLeftovers } from '../util/processGroup.js';
import { AgentError, ErrorCode, ExitCode } from '../errors.js';
import { language } from '../i18n.js';
import { startBroker } from './broker.js';
import { missingCameraPackages, startDemoCamera, type DemoCamera } from './camera.js';
import { startDemoCenter } from './center.js';
import { SupervisedChild, type ChildExit } from './children.js';
import { demoConfigYaml } from './config.js';
import { demoFolder, resetFolder, type DemoFolder } from './folder.js';
import { startLinkProxy, type LinkProxy } from './linkProxy.js';
import { demoText } from './messages.js';
import { agentStatus, headlessLines, readView } from './display.js';
import { SignInFeed } from './signInFeed.js';
import { Story } from './story.js';
import { TerminalView } from './view.js';

export interface DemoOptions {
  dir: string;
  /** No terminal view: a few plain lines, then silence until the end. */
  headless: boolean;
  /** Stops by itself this many seconds after the story started. */
  durationSeconds: number | undefined;
  httpPort: number | undefined;
  out: NodeJS.WriteStream;
}

/** Whatever happens, the demo is gone this long after it was told to stop. */
const STOP_DEADLINE_MS = 4_500;
/** The agent's own stop takes well under a second; it gets this long before SIGKILL. */
const AGENT_GRACE_MS = 2_500;
const AGENT_READY_MS = 30_000;
/** A --duration end lets the backlog reach the center first, for at most this long. */
const DRAIN_MS = 5_000;

const CLI_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

type StopReason = { kind: 'signal' } | { kind: 'duration' } | { kind: 'failure'; error: Error };

/**
 * `room-agent demo`: a private broker, the room's link through a proxy the story can cut, the
 * reference center, the agent as a real child on the emulated scanner, the story and its view.
 * Started in that order and stopped in reverse, whatever stopped it: a signal, --duration, or a
 * child that died. Resolves with the exit code; never leaves a child, a socket or a broker behind.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const folder = demoFolder(options.dir);
  const lock = await acquireInstanceLock(folder.dir);
  if (lock === undefined)
    throw new AgentError(ErrorCode.DemoBusy, demoText('busy', { dir: folder.dir }), { dir: folder.dir });
  const stack: Array<() => Promise<void> | void> = [() => lock.release()];
  const children: SupervisedChild[] = [];
  let requested: StopReason | undefined;
  let resolveStop!: (reason: StopReason) => void;
  const stopped = new Promise<StopReason>((resolve) => (resolveStop = resolve));
  let deadline: NodeJS.Timeout | undefined;
  // From the stop request on, nothing may hang: at the deadline what is left is killed and the
  // demo exits anyway (a child that got away from its group still dies with it: pdeathsig).
  const forceExit = (): void => {
    for (const child of children) child.kill();
    process.exit(requested?.kind === 'failure' ? ExitCode.InternalFault : ExitCode.Ok);
  };
  const requestStop = (reason: StopReason): void => {
    if (requested !== undefined) return;
    requested = reason;
    // The end of --duration lets the backlog drain first; a signal or a failure does not wait for it.
    deadline = setTimeout(forceExit, STOP_DEADLINE_MS + (reason.kind === 'duration' ? DRAIN_MS : 0));
    resolveStop(reason);
  };
  let stopping = false;
  const onSignal = (): void => requestStop({ kind: 'signal' });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const watch = (child: SupervisedChild, log: string): void => {
    children.push(child);
    void child.exited.then((exit) => {
      if (!stopping)
        requestStop({
          kind: 'failure',
          error: new AgentError(
            ErrorCode.DemoChildExited,
            demoText('childExited', { name: child.name, how: how(exit), log }),
          ),
        });
    });
  };

  let view: TerminalView | undefined;
  let story: Story | undefined;
  let proxy: LinkProxy | undefined;
  /** The Debian packages the demo's camera lacks; none when it runs one. */
  let missing: string[] = [];
  /** Starts everything in order, each with its undo on the stack; returns early once a stop was asked for. */
  async function start(): Promise<void> {
    // A stop asked for during the start is honoured between its steps: each step is short, and
    // one cut off half-way could leave what it started unknown to the stack below.
    const halted = (): boolean => requested !== undefined;
    await endLeftovers(folder.run);
    resetFolder(folder);
    requirePython();
    const broker = await startBroker({ dir: folder.broker, logFile: folder.brokerLog, runDir: folder.run });
    stack.push(() => broker.stop());
    watch(broker.child, folder.brokerLog);
    const link = await startLinkProxy(broker.port);
    proxy = link;
    stack.push(() => link.close());
    if (halted()) return;
    // Without its packages the demo goes on without a camera, and says what to install.
    missing = missingCameraPackages();
    let camera: DemoCamera | undefined;
    if (missing.length === 0) {
      const started = await startDemoCamera({ dir: folder.media, runDir: folder.run });
      camera = started;
      stack.push(() => started.stop());
    }
    const cameraNote =
      camera === undefined
        ? demoText('noCamera', { packages: missing.join(' ') })
        : demoText('headlessCamera', { camera: camera.config.name });
    if (halted()) return;
    const center = await startDemoCenter({
      brokerUrl: broker.url,
      dir: folder.center,
      logFile: folder.centerLog,
      httpPort: options.httpPort,
      livePlaylistTemplate: camera?.livePlaylistTemplate,
    });
    stack.push(() => center.stop());
    if (halted()) return;
    const roomName = demoText('roomName');
    writeFileSync(
      folder.config,
      demoConfigYaml({ dataDir: folder.agent, countyUrl: link.url, roomName, camera: camera?.config }),
    );
    const agent = await SupervisedChild.start({
      name: 'agent',
      command: process.execPath,
      args: [CLI_MAIN, 'run', '--config', folder.config],
      logFile: folder.agentLog,
      runDir: folder.run,
      env: agentEnv(),
    });
    stack.push(async () => {
      await agent.stop(AGENT_GRACE_MS);
      // A killed agent leaves its socket and the emulator's link behind.
      rmSync(folder.socket, { force: true });
      rmSync(join(folder.agent, 'emulator.tty'), { force: true });
    });
    watch(agent, folder.agentLog);
    await Promise.race([waitForAgent(folder, agent), stopped]);
    if (!halted()) {
      const running = new Story({ socketPath: folder.socket, link, logFile: folder.storyLog });
      story = running;
      running.start();
      const feed = new SignInFeed(folder.agent);
      stack.push(() => feed.close());
      if (options.headless)
        options.out.write(
          headlessLines({ folder, broker, link, center, cameraNote, durationSeconds: options.durationSeconds }),
        );
      else {
        view = new TerminalView(
          () => readView({ folder, roomName, story: running, link, center, feed, cameraMissing: missing }),
          options.out,
        );
        view.start();
      }
      if (options.durationSeconds !== undefined) {
        const timer = setTimeout(() => requestStop({ kind: 'duration' }), options.durationSeconds * 1000);
        stack.push(() => clearTimeout(timer));
      }
    }
  }

  let startFailure: Error | undefined;
  try {
    await start();
    await stopped;
  } catch (error) {
    startFailure = error as Error;
  }
  return finish(startFailure);

  /** Everything started, stopped in reverse; throws the first failure once all is stopped. */
  async function finish(failed?: Error): Promise<number> {
    if (failed !== undefined) requestStop({ kind: 'failure', error: failed });
    let failure = failed;
    stopping = true;
    view?.stop();
    story?.stop();
    if (requested?.kind === 'duration' && proxy !== undefined) await drain(folder, proxy);
    for (const undo of stack.reverse()) {
      try {
        await undo();
      } catch (error) {
        failure ??= error as Error;
      }
    }
    clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (failure !== undefined) throw failure;
    if (requested?.kind === 'failure') throw requested.error;
    options.out.write(`${demoText('stopped', { dir: folder.dir })}\n`);
    return ExitCode.Ok;
  }
}

function how(exit: ChildExit): string {
  return exit.signal === null ? `exit ${exit.code}` : exit.signal;
}

/** The emulated module is a Python program: without python3 the demo has no scanner to show. */
function requirePython(): void {
  if (spawnSync('python3', ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new AgentError(ErrorCode.DemoUnavailable, demoText('noPython'));
}

/** The agent speaks the demo's language; it is not under systemd, whatever started the demo. */
function agentEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ROOM_AGENT_LANG: language() };
  delete env.NOTIFY_SOCKET;
  delete env.WATCHDOG_USEC;
  delete env.WATCHDOG_PID;
  return env;
}

/** Until the agent answers on its control socket with its scanner connected. */
async function waitForAgent(folder: DemoFolder, agent: SupervisedChild): Promise<void> {
  const until = Date.now() + AGENT_READY_MS;
  while (agent.running) {
    const status = await agentStatus(folder.socket);
    if (status?.services.find((service) => service.name === 'scanner')?.state === 'ok') return;
    if (Date.now() > until)
      throw new AgentError(
        ErrorCode.DemoUnavailable,
        demoText('agentNotReady', { seconds: AGENT_READY_MS / 1000, log: folder.agentLog }),
      );
    await sleep(100);
  }
}

/** The link restored and the agent's backlog acknowledged by the center, or DRAIN_MS passed. */
async function drain(folder: DemoFolder, proxy: LinkProxy): Promise<void> {
  proxy.restore();
  const until = Date.now() + DRAIN_MS;
  while (Date.now() < until) {
    const status = await agentStatus(folder.socket);
    if (status === undefined || status.sync.backlog.events === 0) return;
    await sleep(100);
  }
}
