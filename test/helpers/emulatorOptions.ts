/** How a test configures a module emulator, and the command-line flags that become. */

export type EmulatorFamily = 'r30x' | 'gt521';
export type FingerQuality = 'good' | 'poor';

export interface EmulatorOptions {
  family: EmulatorFamily;
  /** r30x: zfm20 (default) | r307 | r503; gt521: f32 (default) | f52 | c3. */
  model?: string;
  /** The module's speed at power-on (r30x default 57600; gt521 must start at 9600 per datasheet). */
  baudRate?: number;
  capacity?: number;
  packetSize?: 32 | 64 | 128 | 256;
  password?: number;
  address?: number;
  /** gt521: the 16-byte serial number Open reports, as 32 hex digits. */
  serialNumber?: string;
  /** r30x: send the M5Stack-style ack with confirmation 0xFF once ready. */
  wakeAck?: boolean;
  /** Overrides the model's power-on delay (zfm20 500 ms, r307 200 ms, r503 50 ms, gt521 100 ms). */
  powerOnDelayMs?: number;
  /** Directory for the stable link; default: a fresh temporary directory removed by stop(). */
  dir?: string;
  /** Further command-line flags, e.g. ['--no-high-speed-search']. */
  extraArgs?: string[];
  /** The interpreter to run; default python3 from PATH. */
  python?: string;
}

export function emulatorFlags(options: EmulatorOptions): string[] {
  const flags: string[] = [];
  const add = (flag: string, value: number | string | undefined): void => {
    if (value !== undefined) flags.push(flag, String(value));
  };
  add('--model', options.model);
  add('--baud', options.baudRate);
  add('--capacity', options.capacity);
  add('--packet-size', options.packetSize);
  add('--password', options.password);
  add('--address', options.address);
  add('--serial', options.serialNumber);
  add('--power-on-delay-ms', options.powerOnDelayMs);
  if (options.wakeAck) flags.push('--wake-ack');
  return [...flags, ...(options.extraArgs ?? [])];
}
