/** The R30x family's public face: what the agent needs to build and configure a scanner. */
export { R30xScanner, type R30xScannerOptions } from './device/scanner.js';
export { FACTORY_PASSWORD, PROBE_ORDER } from './device/handshake.js';
export { MAX_TOKEN_BYTES } from './device/bindingToken.js';
export { DEFAULT_TIMEOUTS, type R30xTimeouts, type R30xTimeoutOverrides } from './protocol/policy.js';
