import { HID, setDriverType } from 'node-hid';
import { DriverError, DriverErrorCode } from './errors.js';

/**
 * The part of node-hid's HID this project uses, so drivers run against a fake in tests (no real
 * HID device can exist there). Reports carry their report id as the first byte, as hidraw does.
 */
export interface HidDevice {
  write(report: number[] | Buffer): number;
  sendFeatureReport(report: number[] | Buffer): number;
  getFeatureReport(reportId: number, length: number): number[] | Buffer;
  close(): void;
  on(event: 'data', listener: (report: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  removeAllListeners(): this;
}

/** Which device to open: a hidraw node (stable through a udev symlink) or the first with this VID/PID. */
export type HidSelector = { readonly path: string } | { readonly vendorId: number; readonly productId: number };

export type HidDeviceFactory = () => HidDevice;

export function describeHidSelector(selector: HidSelector): string {
  return 'path' in selector ? selector.path : `${hex4(selector.vendorId)}:${hex4(selector.productId)}`;
}

/**
 * Opens a device through hidraw. node-hid's libusb backend would detach the kernel driver and
 * need root; hidraw works for the agent's user once the udev rules grant the node.
 */
export function openHidraw(selector: HidSelector): HidDevice {
  setDriverType('hidraw');
  try {
    return 'path' in selector ? new HID(selector.path) : new HID(selector.vendorId, selector.productId);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const hint = /permission|EACCES/i.test(detail)
      ? 'permission denied: install the udev rules from systemd/ (GROUP="room-agent", MODE="0660") and replug'
      : 'is it plugged in? `ls -l /dev/hidraw*` and `udevadm info /dev/hidrawN` show what is there';
    throw new DriverError(
      DriverErrorCode.TransportOpen,
      `cannot open HID device ${describeHidSelector(selector)}: ${detail}; ${hint}`,
      { device: describeHidSelector(selector) },
      { cause: error },
    );
  }
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

/** Stops listening and closes; a device that is already gone has nothing left to release. */
export function releaseHidDevice(device: HidDevice): void {
  device.removeAllListeners();
  try {
    device.close();
  } catch {
    // Closing a pulled device throws; there is nothing more to free.
  }
}
