import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./ptyPeer.py', import.meta.url));

/**
 * The far end of a real pseudo-terminal (ptyPeer.py): what a serial module would be, reduced to
 * raw bytes, so transport tests see exactly what crossed the wire.
 */
export class PtyPeer {
  /** Every byte the slave's user wrote, in order. */
  received = Buffer.alloc(0);
  private readonly replies: ((line: string) => void)[] = [];
  private readonly rxWaiters: { bytes: number; resolve: () => void }[] = [];

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    readonly path: string,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
  }

  static async start(): Promise<PtyPeer> {
    const child = spawn('python3', [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    const path = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`ptyPeer.py exited with ${code}`)));
    });
    lines.close();
    return new PtyPeer(child, path);
  }

  send(bytes: Uint8Array | number[]): void {
    this.child.stdin.write(`send ${Buffer.from(bytes).toString('hex')}\n`);
  }

  /** The slave's output speed as the kernel holds it (termios2, so custom rates read true). */
  async speed(): Promise<number> {
    const line = await this.request('speed');
    return Number(line.split(' ')[1]);
  }

  /** Closes the master side: to the slave's user this is a pulled USB adapter. */
  async unplug(): Promise<void> {
    await this.request('unplug');
  }

  async waitForReceived(bytes: number): Promise<void> {
    if (this.received.length >= bytes) return;
    await new Promise<void>((resolve) => this.rxWaiters.push({ bytes, resolve }));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }

  private request(command: string): Promise<string> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.child.stdin.write(`${command}\n`);
    });
  }

  private onLine(line: string): void {
    if (line.startsWith('rx ')) {
      this.received = Buffer.concat([this.received, Buffer.from(line.slice(3), 'hex')]);
      for (const waiter of this.rxWaiters.filter((w) => this.received.length >= w.bytes)) {
        this.rxWaiters.splice(this.rxWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      return;
    }
    this.replies.shift()?.(line);
  }
}
