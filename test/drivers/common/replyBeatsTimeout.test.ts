import { afterEach, describe, expect, it } from 'vitest';
import { Gt521Command } from '../../../drivers/gt521/framing/constants.js';
import { Gt521Scanner } from '../../../drivers/gt521/index.js';
import { R30xScanner } from '../../../drivers/r30x/index.js';
import { HEADER_LENGTH } from '../../../drivers/r30x/framing/packet.js';
import { Instruction } from '../../../drivers/r30x/framing/instructions.js';
import { SerialTransport } from '../../../drivers/serial/serialTransport.js';
import type { FingerprintScanner } from '../../../drivers/scanner.js';
import { ModuleEmulator } from '../../helpers/emulator.js';

/** Longer than every reply timeout below: the reply is in the pty long before the main thread is free. */
const BLOCK_MS = 1500;

/**
 * The real serial transport, but the main thread stays busy for BLOCK_MS once the chosen command
 * has left the host, as it does while start-up loads a large module synchronously.
 */
class BusyAfterWrite extends SerialTransport {
  blocked = 0;

  constructor(
    path: string,
    private readonly isChosen: (bytes: Buffer) => boolean,
  ) {
    super({ path });
  }

  override async write(data: Uint8Array): Promise<void> {
    await super.write(data);
    if (this.blocked > 0 || !this.isChosen(Buffer.from(data))) return;
    this.blocked += 1;
    const until = performance.now() + BLOCK_MS;
    while (performance.now() < until) {
      // Busy, as a synchronous require of a few hundred files is.
    }
  }
}

interface Case {
  readonly family: 'gt521' | 'r30x';
  /** The command after which the main thread is busy, by its datasheet name. */
  readonly command: string;
  readonly isChosen: (bytes: Buffer) => boolean;
  readonly scanner: (transport: SerialTransport) => FingerprintScanner;
}

const CASES: Case[] = [
  {
    // The field fault: the speed switch's ACK came in 1 ms and lost to its 1000 ms timeout.
    family: 'gt521',
    command: 'ChangeBaudrate',
    isChosen: (bytes) => bytes.length === 12 && bytes.readUInt16LE(8) === Gt521Command.ChangeBaudrate,
    scanner: (transport) => new Gt521Scanner({ transport, baudRate: 115_200 }),
  },
  {
    // ReadSysPara may be asked again: a second one would show the first reply was dropped.
    family: 'r30x',
    command: 'ReadSysPara',
    isChosen: (bytes) => bytes[HEADER_LENGTH] === Instruction.ReadSysPara,
    scanner: (transport) =>
      new R30xScanner({ transport, baudRate: 57_600, password: 0, timeouts: { commands: { ReadSysPara: 500 } } }),
  },
];

describe.each(CASES)(
  'a $family reply that arrived while the main thread was busy',
  ({ family, command, isChosen, scanner: build }) => {
    const emulators: ModuleEmulator[] = [];
    afterEach(async () => {
      for (const emulator of emulators.splice(0)) await emulator.stop();
    });

    it(`is taken, not timed out, when the thread frees up after the timeout (${command})`, async () => {
      const emulator = await ModuleEmulator.start({ family, powerOnDelayMs: 0 });
      emulators.push(emulator);
      const transport = new BusyAfterWrite(emulator.path, isChosen);
      const scanner = build(transport);
      try {
        await scanner.open();
        expect(transport.blocked).toBe(1);
        // Answered once and taken: neither a failed open nor a second try.
        expect(emulator.commandCount(command)).toBe(1);
      } finally {
        await scanner.close();
      }
    });
  },
);
