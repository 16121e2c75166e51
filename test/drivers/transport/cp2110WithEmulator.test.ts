import { afterEach, describe, expect, it } from 'vitest';
import { Cp2110Transport } from '../../../drivers/cp2110/cp2110Transport.js';
import { R30xScanner } from '../../../drivers/r30x/index.js';
import { ModuleEmulator } from '../../helpers/emulator.js';
import { FakeCp2110 } from './fakeCp2110.js';

/**
 * An R30x module behind a CP2110: the emulator plays the module on a real pty, the fake CP2110
 * carries its UART in AN434 reports, and the driver above sees only a ByteTransport.
 */
const VFY_PWD_0 = Buffer.from('ef01ffffffff010007130000000000' + '1b', 'hex'); // VfyPwd(0), drivers/r30x/README.md
const ACK_OK = Buffer.from('ef01ffffffff0700030000' + '0a', 'hex');

let emulator: ModuleEmulator | undefined;
let transport: Cp2110Transport | undefined;
let chip: FakeCp2110 | undefined;

async function bridgeTo(options: Parameters<typeof ModuleEmulator.start>[0]) {
  emulator = await ModuleEmulator.start(options);
  const fake = await FakeCp2110.connect(emulator.path);
  chip = fake;
  transport = new Cp2110Transport({ device: { path: '/dev/fingerprint-hid' }, openDevice: () => fake });
  return { emulator, transport, chip: fake };
}

function reply(source: Cp2110Transport, bytes: number, withinMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      source.off('data', collect);
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, withinMs);
    const collect = (chunk: Buffer) => {
      chunks.push(chunk);
      if (Buffer.concat(chunks).length >= bytes) {
        clearTimeout(timer);
        done();
      }
    };
    source.on('data', collect);
  });
}

afterEach(async () => {
  await transport?.close();
  await chip?.settled();
  await emulator?.stop();
  expect(chip?.bridgeFaults ?? []).toEqual([]);
  [emulator, transport, chip] = [undefined, undefined, undefined];
});

describe('CP2110 carrying an R30x module', () => {
  it('answers VfyPwd with the datasheet ACK through the bridge', async () => {
    const { transport } = await bridgeTo({ family: 'r30x', powerOnDelayMs: 0 });
    await transport.open(57600);
    await chip!.settled();
    const answer = reply(transport, ACK_OK.length, 5000);
    await transport.write(VFY_PWD_0);
    expect(await answer).toEqual(ACK_OK);
  });

  it('the UART config really sets the line speed: at the wrong speed the module stays silent', async () => {
    const { transport, emulator } = await bridgeTo({ family: 'r30x', powerOnDelayMs: 0 });
    await transport.open(9600);
    await chip!.settled();
    const silence = reply(transport, 1, 500);
    await transport.write(VFY_PWD_0);
    expect(await silence).toEqual(Buffer.alloc(0));
    expect(emulator.commandCount('VfyPwd')).toBe(0);
  });

  it('runs the R30x driver unchanged: probe, read parameters, identify a stored finger', async () => {
    const { transport, emulator } = await bridgeTo({
      family: 'r30x',
      powerOnDelayMs: 0,
      baudRate: 115200,
      capacity: 300,
    });
    await emulator.storeTemplate(237, 'carol-left-thumb');
    const scanner = new R30xScanner({ transport, baudRate: 57600, password: 0 });
    const info = await scanner.open();
    expect(info).toMatchObject({ family: 'r30x', baudRate: 115200, capacity: 300 });
    await emulator.place('carol-left-thumb');
    expect(await scanner.identify()).toMatchObject({ kind: 'match', slot: 237 });
    await scanner.close();
  });
});
