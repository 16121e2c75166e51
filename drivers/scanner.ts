/**
 * The one interface the agent uses for a fingerprint module, whatever its protocol family.
 * Slots are the module's own template pages / ids, 0 … capacity − 1.
 */
export type ScannerFamily = 'r30x' | 'gt521';

export interface ScannerInfo {
  family: ScannerFamily;
  /** Human description, e.g. "R30x-compatible, system id 0x0009" or "GT-521F32 firmware 0x…". */
  model: string;
  /** Number of template slots, read from the module (never assumed). */
  capacity: number;
  /** The speed the module answered at (it may differ from the configured one: probed). */
  baudRate: number;
  /** Bytes of one template, when the family fixes it or it has been measured. */
  templateSize?: number | undefined;
  /** R30x data packet size in bytes (32, 64, 128 or 256). */
  packetSize?: number | undefined;
  securityLevel?: number | undefined;
  firmware?: string | undefined;
  /** GT-521F: the module's serial number (hex), which binds it to the device. */
  serialNumber?: string | undefined;
  /**
   * R30x: which password opened the session: the device's own, the factory default (a new or
   * reset module), or none needed.
   */
  credential: 'device' | 'factory' | 'none';
}

export type IdentifyOutcome =
  | { kind: 'no-finger' }
  | { kind: 'match'; slot: number; score: number }
  | { kind: 'no-match' }
  | { kind: 'poor-image'; reason: string };

export type EnrollPrompt =
  | { step: 'place'; scan: number; of: number }
  | { step: 'captured'; scan: number; of: number }
  | { step: 'lift' }
  | { step: 'retry'; scan: number; reason: string };

export interface EnrollOptions {
  slot: number;
  /** Called as the enrollment proceeds, to guide the technician and the member. */
  prompt(prompt: EnrollPrompt): void;
  signal?: AbortSignal | undefined;
  /** How long to wait for a finger at each "place" step. */
  placeTimeoutMs?: number | undefined;
}

/** What the module's own light can show when no GPIO feedback is wired. */
export type ModuleSignal = 'idle' | 'accepted' | 'already' | 'rejected' | 'fault' | 'busy';

export interface FingerprintScanner {
  readonly family: ScannerFamily;
  /** Handshake (probing the standard speeds when the module does not answer), verify, read parameters. */
  open(): Promise<ScannerInfo>;
  close(): Promise<void>;
  /** One poll: 'no-finger' at once when nothing is on the sensor; otherwise capture and search all slots. */
  identify(): Promise<IdentifyOutcome>;
  fingerPresent(): Promise<boolean>;
  /** Place, lift, place again; throws DriverError DuplicateFinger (context.slot) for a finger already enrolled. */
  enroll(options: EnrollOptions): Promise<void>;
  deleteSlots(slot: number, count?: number): Promise<void>;
  wipe(): Promise<void>;
  enrolledSlots(): Promise<number[]>;
  readTemplate(slot: number): Promise<Buffer>;
  writeTemplate(slot: number, template: Buffer): Promise<void>;
  indicate(signal: ModuleSignal): Promise<void>;
  /** A token the device stores in the module (R30x notepad) or reads from it (GT serial number). */
  readBindingToken(): Promise<string | undefined>;
  /** R30x: writes the notepad token and sets the module password; GT: not supported (serial is fixed). */
  bind?(token: string, password: number): Promise<void>;
  on(event: 'disconnected', listener: (error: Error) => void): this;
  off(event: 'disconnected', listener: (error: Error) => void): this;
}
