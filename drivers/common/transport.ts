/**
 * A byte stream to a device: a UART through serialport, or a CP2110 HID-to-UART bridge. Drivers
 * receive one (or a factory) and never construct ports themselves, so tests hand in a real
 * pseudo-terminal or a fake HID device behind the same interface.
 *
 * Events: 'data' (a chunk as it arrived; frames may be split or merged arbitrarily) and
 * 'disconnected' (the device went away or the port failed while open: emitted once, after which
 * the transport is closed). A close() the caller asked for emits no 'disconnected'.
 */
export interface ByteTransport {
  /** For logs and error messages, e.g. "serial /dev/serial/by-id/usb-…". */
  readonly description: string;
  readonly isOpen: boolean;
  open(baudRate: number): Promise<void>;
  /** Changes the host's speed on an open transport (baud probing, ChangeBaudrate). */
  setBaudRate(baudRate: number): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /**
   * Resolves once the input that had reached the host when called was emitted as 'data'. Reply
   * timeouts ask it before they fire (see Waitress). Without it, one pass through the event
   * loop's I/O phase is taken to be enough (nextPollPhase).
   */
  deliverPending?(): Promise<void>;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'disconnected', listener: (error: Error) => void): this;
  off(event: 'data', listener: (chunk: Buffer) => void): this;
  off(event: 'disconnected', listener: (error: Error) => void): this;
}

export type TransportFactory = () => ByteTransport;

/** How a transport lets the input it already holds be emitted (ByteTransport.deliverPending). */
export type DeliverPending = () => Promise<void>;

/**
 * Resolves after the event loop's next I/O (poll) phase: input whose completion is already queued
 * (a read finished on another thread, bytes waiting on a descriptor the loop watches) has then
 * been handled. An immediate runs right after that phase.
 */
export function nextPollPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The transport's own deliverPending, or one pass through the I/O phase. */
export function pendingInputOf(transport: ByteTransport): DeliverPending {
  return transport.deliverPending?.bind(transport) ?? nextPollPhase;
}
