import type { FingerprintScanner, ScannerInfo } from '../../drivers/scanner.js';
import type { ScannerAccess } from '../members/scannerAccess.js';
import type { ModuleUse, ScannerService, ScannerState } from '../scanner/service.js';

/**
 * The scanner for a standalone CLI command (no daemon runs): the same ScannerService the daemon
 * uses, started only when a method first needs the module, so that `members list` never touches
 * a serial port. Reports 'connecting' until then: a removal tries the module before queueing.
 */
export class OnDemandScanner implements ScannerAccess {
  private service: ScannerService | undefined;
  private starting: Promise<ScannerService> | undefined;

  constructor(private readonly create: () => ScannerService) {}

  state(): ScannerState {
    return this.service?.state() ?? 'connecting';
  }

  async exclusive<T>(
    purpose: string,
    fn: (scanner: FingerprintScanner, info: ScannerInfo) => Promise<T>,
    waitMs?: number,
    use?: Pick<ModuleUse, 'usesFinger'>,
  ): Promise<T> {
    const service = await this.started();
    return service.exclusive(purpose, fn, waitMs, use);
  }

  /** The service itself, started on first use: for methods that need more than exclusive use (scanner info, confirm). */
  started(): Promise<ScannerService> {
    return (this.starting ??= this.start());
  }

  async close(): Promise<void> {
    // A start that failed half-way may still hold a port or a child process.
    await this.starting?.catch(() => undefined);
    await this.service?.stop();
  }

  private async start(): Promise<ScannerService> {
    const service = this.create();
    this.service = service;
    await service.start();
    return service;
  }
}
