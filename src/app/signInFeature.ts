import type { Config } from '../config/schema.js';
import type { ControlRegistry } from '../control/registry.js';
import type { EventBus } from '../daemon/bus.js';
import { FeedbackService, type Feedback } from '../feedback/service.js';
import type { Logger } from '../log.js';
import type { ScannerAccess } from '../members/scannerAccess.js';
import { registerScannerMethods } from '../scanner/methods.js';
import { emulatedMark } from '../scanner/emulated.js';
import { loadScannerSecrets } from '../scanner/secrets.js';
import { ScannerService } from '../scanner/service.js';
import { registerSignInMethods } from '../signin/methods.js';
import { SignInRecorder } from '../signin/recorder.js';
import { SignInService } from '../signin/service.js';
import type { Core } from './core.js';

/** The sign-in recorder over the core's journal, activities and clock. */
export function signInRecorder(core: Core, config: Config): SignInRecorder {
  return new SignInRecorder({
    journal: core.journal,
    currentActivityId: () => core.activities.current()?.id ?? null,
    clock: core.clock,
    windowMinutes: config.scanner.signInWindowMinutes,
    scannerMark: emulatedMark(config.scanner.driver),
  });
}

export interface SignInServices {
  feedback: FeedbackService;
  scanner: ScannerService;
  signIn: SignInService;
}

/**
 * The daemon's scanner, feedback and sign-in services, in start order (feedback first: the
 * sign-in loop uses it from its first touch). The scanner service reads the device secrets (and
 * creates them on the first start) when it starts.
 */
export function buildSignInServices(core: Core, config: Config, bus: EventBus, logger: Logger): SignInServices {
  const feedback = new FeedbackService({ config: config.feedback, logger: logger.child({ service: 'feedback' }) });
  const scanner = new ScannerService({
    config,
    journal: core.journal,
    bus,
    logger: logger.child({ service: 'scanner' }),
    secrets: () => loadScannerSecrets(config.device.dataDir, { create: true }),
  });
  const recorder = signInRecorder(core, config);
  const signIn = new SignInService({
    config: config.scanner,
    scanner,
    recorder,
    feedback,
    bus,
    logger: logger.child({ service: 'signin' }),
  });
  registerSignInFeatureMethods(core, config, {
    scanner,
    service: () => Promise.resolve(scanner),
    feedback,
    daemon: true,
  });
  return { feedback, scanner, signIn };
}

export interface SignInMethodTarget {
  scanner: ScannerAccess;
  /** The scanner service itself: the daemon's, or the one a standalone CLI starts on first use. */
  readonly service: () => Promise<ScannerService>;
  feedback: Feedback;
  daemon: boolean;
}

/** `scanner.info`, `scanner.confirm`, `emulator.*` and `signin.manual`, for the daemon and a standalone CLI alike. */
export function registerSignInFeatureMethods(core: Core, config: Config, target: SignInMethodTarget): void {
  const registry: ControlRegistry = core.registry;
  registerScannerMethods(registry, {
    driver: config.scanner.driver,
    journal: core.journal,
    service: target.service,
    daemon: target.daemon,
  });
  registerSignInMethods(registry, {
    recorder: signInRecorder(core, config),
    journal: core.journal,
    scanner: target.scanner,
    feedback: target.feedback,
    pollIntervalMs: config.scanner.pollIntervalMs,
  });
}
