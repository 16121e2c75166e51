import type { ScannerService } from '../scanner/service.js';

/**
 * What members and enrollment need from the scanner service: its state, and the module to
 * themselves for a while (the sign-in loop pauses meanwhile).
 */
export type ScannerAccess = Pick<ScannerService, 'state' | 'exclusive'>;
