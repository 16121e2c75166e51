import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';
import { demoText } from './messages.js';

/** Marks a folder the demo made: only such a folder (or an empty one) is ever cleared. */
const MARKER = '.room-agent-demo';

/** Where everything of one demo lives. */
export interface DemoFolder {
  readonly dir: string;
  readonly config: string;
  /** The agent's data directory (journal, keys, control socket, the emulator's pty link). */
  readonly agent: string;
  /** The agent's control socket (its default place under the data directory). */
  readonly socket: string;
  readonly center: string;
  readonly broker: string;
  /** The media server's config, log and live fragments. */
  readonly media: string;
  /** Pid files of the children. */
  readonly run: string;
  readonly agentLog: string;
  readonly centerLog: string;
  readonly brokerLog: string;
  /** One JSON line per story step. */
  readonly storyLog: string;
}

export function demoFolder(dir: string): DemoFolder {
  const root = resolve(dir);
  return {
    dir: root,
    config: join(root, 'config.yaml'),
    agent: join(root, 'agent'),
    socket: join(root, 'agent', 'control.sock'),
    center: join(root, 'center'),
    broker: join(root, 'broker'),
    media: join(root, 'media'),
    run: join(root, 'run'),
    agentLog: join(root, 'agent.log'),
    centerLog: join(root, 'center.log'),
    brokerLog: join(root, 'broker.log'),
    storyLog: join(root, 'story.log'),
  };
}

/**
 * Every run starts fresh: the emulated module forgets its templates and its binding when it
 * stops, so a journal kept from an earlier run would name fingers no module holds and a module
 * the agent no longer trusts. What the demo made is removed (by name, nothing else); a folder
 * that is neither empty nor marked as the demo's is refused.
 */
export function resetFolder(folder: DemoFolder): void {
  if (existsSync(folder.dir) && readdirSync(folder.dir).length > 0 && !existsSync(join(folder.dir, MARKER)))
    throw new AgentError(ErrorCode.DemoFolderForeign, demoText('foreign', { dir: folder.dir }), { dir: folder.dir });
  for (const path of [
    folder.config,
    folder.agent,
    folder.center,
    folder.broker,
    folder.media,
    folder.run,
    folder.agentLog,
    folder.centerLog,
    folder.brokerLog,
    folder.storyLog,
  ])
    rmSync(path, { recursive: true, force: true });
  mkdirSync(folder.dir, { recursive: true });
  writeFileSync(join(folder.dir, MARKER), 'room-agent demo folder: cleared at every start of room-agent demo\n');
}
