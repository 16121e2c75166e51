import { join } from 'node:path';
import { createSocket, type UnixDgramSocket } from 'unix-dgram';
import { afterEach, beforeEach } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';

type TempDir = ReturnType<typeof makeTempDir>;

export interface Notification {
  text: string;
  at: number;
}

/** A fake systemd: a unix datagram socket that records every sd_notify message with its arrival time. */
export class FakeNotifySocket {
  readonly path: string;
  readonly messages: Notification[] = [];
  private readonly socket: UnixDgramSocket;

  constructor(dir: string) {
    this.path = join(dir, 'notify.sock');
    this.socket = createSocket('unix_dgram', (message) =>
      this.messages.push({ text: message.toString('utf8'), at: performance.now() }),
    );
    this.socket.bind(this.path);
  }

  /** Messages containing the given KEY=value line. */
  with(line: string): Notification[] {
    return this.messages.filter((message) => message.text.split('\n').includes(line));
  }

  async waitFor(line: string, count = 1, timeoutMs = 15_000): Promise<Notification[]> {
    return this.waitForMatch((message) => message.text.split('\n').includes(line), line, count, timeoutMs);
  }

  /** Waits for `count` messages satisfying the predicate; `what` names them in the failure. */
  async waitForMatch(
    matches: (message: Notification) => boolean,
    what: string,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<Notification[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.filter(matches).length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count}× ${what}, got ${JSON.stringify(this.messages.map((m) => m.text))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.messages.filter(matches);
  }

  close(): void {
    this.socket.close();
  }
}

/** A fresh temporary directory with a fake NOTIFY_SOCKET in it for each test, both removed after. */
export function useNotifyRig(): { readonly temp: TempDir; readonly notify: FakeNotifySocket } {
  const rig = {} as { temp: TempDir; notify: FakeNotifySocket };
  beforeEach(() => {
    rig.temp = makeTempDir();
    rig.notify = new FakeNotifySocket(rig.temp.dir);
  });
  afterEach(() => {
    rig.notify.close();
    rig.temp.cleanup();
  });
  return rig;
}
