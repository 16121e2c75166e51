import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';
import { SupervisedChild } from './children.js';
import { demoText } from './messages.js';
import { accepts, freePort } from './ports.js';

/**
 * A private Mosquitto on loopback: its config, persistence and log in one directory, run as a
 * supervised child (own process group, killed with its parent). Written for the demo and general
 * enough for anything else that needs a real broker on this machine.
 */
export interface BrokerOptions {
  /** Holds mosquitto.conf and the persistence directory; created when missing. */
  dir: string;
  /** Where the broker logs. */
  logFile: string;
  /** Where the pid file goes. */
  runDir: string;
  /** Default: a free port. */
  port?: number | undefined;
  /** max_inflight_messages: advertised to MQTT 5 clients as Receive Maximum. Default 20. */
  maxInflight?: number | undefined;
  /** Default true: sessions and retained messages survive a restart. */
  persistence?: boolean | undefined;
  /** Lines appended to the config (an acl_file, a password_file…). */
  extraConfig?: readonly string[] | undefined;
}

export interface Broker {
  readonly port: number;
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  /** The running process; changes with restart(). */
  readonly child: SupervisedChild;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** Debian installs the broker in /usr/sbin, which is not on every user's PATH. */
export function mosquittoBinary(): string | undefined {
  return ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto'].find(
    (path) => existsSync(path),
  );
}

/** How long a starting broker gets to listen. */
const LISTEN_TIMEOUT_MS = 10_000;

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const binary = mosquittoBinary();
  if (binary === undefined) throw new AgentError(ErrorCode.DemoUnavailable, demoText('noMosquitto'));
  const port = options.port ?? (await freePort());
  const dataDir = join(options.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(options.dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [
      // Started as root, mosquitto would drop to the "mosquitto" user and then could not write
      // its persistence into a directory root made.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${options.persistence === false ? 'false' : 'true'}`,
      `persistence_location ${dataDir}/`,
      `max_inflight_messages ${options.maxInflight ?? 20}`,
      'max_queued_messages 100000',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const launch = async (): Promise<SupervisedChild> => {
    const child = await SupervisedChild.start({
      name: 'broker',
      command: binary,
      args: ['-c', configFile],
      logFile: options.logFile,
      runDir: options.runDir,
    });
    try {
      await waitForListener(port, child);
    } catch (error) {
      await child.stop(0);
      throw error;
    }
    return child;
  };
  let child = await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get child() {
      return child;
    },
    async stop() {
      await child.stop();
    },
    async restart() {
      await child.stop();
      child = await launch();
    },
  };
}

async function waitForListener(port: number, child: SupervisedChild): Promise<void> {
  const until = Date.now() + LISTEN_TIMEOUT_MS;
  for (;;) {
    if (!child.running) throw new AgentError(ErrorCode.DemoUnavailable, demoText('brokerExited', { port }));
    if (await accepts(port)) return;
    if (Date.now() > until)
      throw new AgentError(
        ErrorCode.DemoUnavailable,
        demoText('brokerSilent', { port, seconds: LISTEN_TIMEOUT_MS / 1000 }),
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
