import { todayRange } from '../center/liveView.js';
import { callDaemon } from '../control/client.js';
import { statusSchema, type Status } from '../app/statusMethod.js';
import type { Broker } from './broker.js';
import type { DemoCenter } from './center.js';
import { DEMO_DEVICE_ID } from './config.js';
import type { DemoFolder } from './folder.js';
import type { LinkProxy } from './linkProxy.js';
import { demoText } from './messages.js';
import type { SignInFeed } from './signInFeed.js';
import type { Story } from './story.js';
import type { ViewData } from './view.js';

/** How many sign-ins the view lists. */
const RECENT_SIGN_INS = 5;

/** The daemon's `status`, or undefined while it does not answer (starting, stopping). */
export async function agentStatus(socketPath: string): Promise<Status | undefined> {
  try {
    return statusSchema.parse(await callDaemon(socketPath, 'status', {}, { timeoutMs: 2_000 }));
  } catch {
    return undefined;
  }
}

export interface DisplaySources {
  folder: DemoFolder;
  roomName: string;
  story: Story;
  link: LinkProxy;
  center: DemoCenter;
  feed: SignInFeed;
  /** Packages the camera lacks; empty when the demo runs one. */
  cameraMissing: readonly string[];
}

/** One frame's data: the room from its daemon and journal, the county from the center. */
export async function readView({
  folder,
  roomName,
  story,
  link,
  center,
  feed,
  cameraMissing,
}: DisplaySources): Promise<ViewData> {
  const nowMs = Date.now();
  const { fromMs, toMs } = todayRange(nowMs);
  let recent: ViewData['recent'] = [];
  try {
    recent = feed.latest(RECENT_SIGN_INS);
  } catch {
    // The journal does not exist until the agent created it.
  }
  return {
    nowMs,
    roomName,
    round: story.round,
    status: await agentStatus(folder.socket),
    linkCut: link.isCut,
    recent,
    center: center.center.room(DEMO_DEVICE_ID),
    centerSignInsToday: center.center.signInsBetween(fromMs, toMs).get(DEMO_DEVICE_ID),
    story: story.lines(),
    cameraMissing,
    boardUrl: center.boardUrl,
    dir: folder.dir,
  };
}

/** What --headless prints instead of the view: where things are and how to stop. */
export function headlessLines(options: {
  folder: DemoFolder;
  broker: Broker;
  link: LinkProxy;
  center: DemoCenter;
  /** What the demo's camera is, or what to install for one. */
  cameraNote: string;
  durationSeconds: number | undefined;
}): string {
  const { folder, broker, link, center, cameraNote, durationSeconds } = options;
  const pid = process.pid;
  const lines = [
    demoText('headlessRunning', { pid }),
    demoText('headlessFolder', { dir: folder.dir }),
    demoText('headlessBroker', { broker: broker.url, link: link.url }),
    demoText('headlessBoard', { url: center.boardUrl }),
    `  ${cameraNote}`,
    demoText('headlessDatabase', { file: center.dbFile }),
    demoText('headlessStatus', { config: folder.config }),
    durationSeconds === undefined
      ? demoText('headlessStop', { pid })
      : demoText('headlessStopAfter', { pid, seconds: durationSeconds }),
  ];
  return `${lines.join('\n')}\n`;
}
