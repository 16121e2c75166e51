import { createConnection, type Socket } from 'node:net';

/** A control-socket client that sends arbitrary bytes and collects whatever lines come back. */
export class RawSocket {
  readonly lines: unknown[] = [];
  private text = '';
  closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.text += chunk;
      const parts = this.text.split('\n');
      this.text = parts.pop()!;
      for (const part of parts) this.lines.push(JSON.parse(part));
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static connect(path: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  end(): void {
    this.socket.end();
  }

  /** Stops reading: the daemon's answers pile up in the kernel's buffers, as with a stuck client. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Resolves once `count` lines have arrived (or rejects after timeoutMs). */
  async waitForLines(count: number, timeoutMs = 5_000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} lines, got ${JSON.stringify(this.lines)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.lines.slice(0, count);
  }
}
