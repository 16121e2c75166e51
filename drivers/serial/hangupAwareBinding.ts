import { read } from 'node:fs';
import { promisify } from 'node:util';
import { LinuxBinding, type LinuxBindingInterface } from '@serialport/bindings-cpp';
// Not exported by the package: package.json pins bindings-cpp exactly, so no update moves it unseen.
import { unixRead } from '@serialport/bindings-cpp/dist/unix-read.js';

const readAsync = promisify(read);

/**
 * A tty that was hung up (USB adapter pulled, pty master closed) answers read() with 0 bytes,
 * forever. bindings-cpp retries a 0-byte read at once, so an unplug that lands between two polls
 * spins a CPU and leaks memory without ever reporting the disconnect
 * (https://github.com/serialport/bindings-cpp/issues/162, fix proposed in PR #164, unmerged).
 * With VMIN = 1 (serialport's default) a live tty never returns 0, so we report it as the
 * disconnect it is; any read error other than a cancel closes the port with a DisconnectedError.
 */
async function readOrHangUp(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: null,
): Promise<{ bytesRead: number; buffer: Buffer }> {
  const result = await readAsync(fd, buffer, offset, length, position);
  if (result.bytesRead === 0) {
    throw Object.assign(new Error('the tty hung up (read returned end of file)'), { disconnect: true });
  }
  return result;
}

/**
 * The reads of a port's descriptor under way on libuv's thread pool. A read that found nothing
 * waits for the tty to become readable and is not one of them; bytes that arrive start a new read
 * in the next poll phase.
 */
export class ReadsInFlight {
  private readonly reads = new Set<Promise<unknown>>();

  track<T>(read: Promise<T>): Promise<T> {
    this.reads.add(read);
    const forget = (): void => void this.reads.delete(read);
    read.then(forget, forget);
    return read;
  }

  /** Resolves once every read started so far has finished, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.reads]);
  }
}

/** serialport's Linux binding with hang-up detection on every read, reporting its reads to `reads`. */
export function hangupAwareBinding(reads: ReadsInFlight): LinuxBindingInterface {
  const fsReadAsync = (fd: number, buffer: Buffer, offset: number, length: number, position: null) =>
    reads.track(readOrHangUp(fd, buffer, offset, length, position));
  return {
    list: () => LinuxBinding.list(),
    async open(options) {
      const port = await LinuxBinding.open(options);
      port.read = (buffer, offset, length) =>
        unixRead({ binding: port, buffer, offset, length, fsReadAsync: fsReadAsync as typeof readAsync });
      return port;
    },
  };
}
