import { z } from 'zod';
import type { ControlRegistry } from '../control/registry.js';
import { AgentError, ErrorCode, isAgentError } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import { statement } from '../store/statements.js';
import { tokenHash } from './binding.js';
import type { ScannerService } from './service.js';
import { scannerText } from './messages.js';

const operatorSchema = z.string().trim().min(1).max(64);

export const scannerMethodParams = {
  /** waitMs: how long to wait for the module (default 5 s); the doctor gives most of its check's time. */
  info: z.strictObject({ waitMs: z.number().int().min(0).max(10_000).default(5_000) }),
  confirm: z.strictObject({ operator: operatorSchema }),
  place: z.strictObject({
    finger: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a finger name of letters, digits, ".", "_" or "-", e.g. alice-right-index'),
  }),
  lift: z.strictObject({}),
};

const moduleSchema = z.strictObject({
  family: z.enum(['r30x', 'gt521']),
  model: z.string(),
  capacity: z.number().int(),
  baudRate: z.number().int(),
  credential: z.enum(['device', 'factory', 'none']),
});

export const scannerInfoSchema = z.strictObject({
  driver: z.string(),
  state: z.enum(['disabled', 'connecting', 'connected', 'disconnected', 'refused']),
  detail: z.string(),
  module: moduleSchema.nullable(),
  /** Templates on the module, counted when it was free to ask; null otherwise. */
  enrolled: z.number().int().nullable(),
  /** Fingers the roster maps to module slots. */
  fingersRecorded: z.number().int(),
  binding: z.strictObject({ family: z.string(), tokenHash: z.string(), boundSeq: z.number().int() }).nullable(),
});

export const confirmResultSchema = z.strictObject({
  family: z.enum(['r30x', 'gt521']),
  model: z.string(),
  capacity: z.number().int(),
  tokenHash: z.string(),
  fingersRecorded: z.number().int(),
});

export interface ScannerMethodsTarget {
  driver: string;
  journal: Pick<Journal, 'db'>;
  /** The daemon's running service, or the one a standalone CLI starts on first use. */
  service(): Promise<ScannerService>;
  /** False in a standalone CLI: the emulated module lives in the daemon process. */
  daemon: boolean;
}

/** `scanner.info`, `scanner.confirm`, and the demo's `emulator.place` / `emulator.lift`. */
export function registerScannerMethods(registry: ControlRegistry, target: ScannerMethodsTarget): void {
  registry.register('scanner.info', scannerMethodParams.info, async ({ waitMs }) => {
    const service = await target.service();
    const enrolled = await service
      .exclusive('scanner info', async (scanner) => (await scanner.enrolledSlots()).length, waitMs, {
        failOnOpenError: true,
      })
      .catch((error: unknown) => {
        if (isAgentError(error)) return null;
        throw error;
      });
    const info = service.info();
    const binding = service.identity()?.binding();
    return {
      driver: target.driver,
      state: service.state(),
      detail: service.stateDetail() ?? '',
      module:
        info === undefined
          ? null
          : {
              family: info.family,
              model: info.model,
              capacity: info.capacity,
              baudRate: info.baudRate,
              credential: info.credential,
            },
      enrolled,
      fingersRecorded: fingerCount(target),
      binding:
        binding === undefined
          ? null
          : { family: binding.family, tokenHash: tokenHash(binding.token), boundSeq: binding.boundSeq },
    } satisfies z.input<typeof scannerInfoSchema>;
  });

  registry.register('scanner.confirm', scannerMethodParams.confirm, async ({ operator }) => {
    const service = await target.service();
    const info = await service.confirm(operator);
    const binding = service.identity()!.binding()!;
    return {
      family: info.family,
      model: info.model,
      capacity: info.capacity,
      tokenHash: tokenHash(binding.token),
      fingersRecorded: fingerCount(target),
    };
  });

  registry.register('emulator.place', scannerMethodParams.place, async ({ finger }) =>
    (await emulatorOf(target)).place(finger).then(() => ({})),
  );
  registry.register('emulator.lift', scannerMethodParams.lift, async () =>
    (await emulatorOf(target)).lift().then(() => ({})),
  );
}

function fingerCount(target: ScannerMethodsTarget): number {
  return (statement(target.journal.db, 'SELECT COUNT(*) AS count FROM fingers').get() as { count: number }).count;
}

async function emulatorOf(target: ScannerMethodsTarget) {
  if (target.driver !== 'emulator') {
    throw new AgentError(ErrorCode.EmulatorUnavailable, scannerText('emulatorNeedsDriver', { driver: target.driver }));
  }
  if (!target.daemon) {
    throw new AgentError(ErrorCode.EmulatorUnavailable, scannerText('emulatorNeedsDaemon'));
  }
  const emulator = (await target.service()).emulator();
  if (emulator === undefined) throw new AgentError(ErrorCode.EmulatorUnavailable, scannerText('emulatorNotRunning'));
  return emulator;
}
