import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CP2110_PRODUCT_ID, CP2110_VENDOR_ID, CP2114_PRODUCT_ID } from '../../drivers/cp2110/cp2110Transport.js';

/**
 * Where a fingerprint module may be attached, as a technician setting a room up would look: the
 * Pi's GPIO UART (serial0, ttyAMA*), USB-serial adapters (ttyUSB*, ttyACM*) and their stable udev
 * links (/dev/serial/by-id, by-path, the project's /dev/fingerprint), and CP2110/CP2114 bridges
 * on hidraw. Every folder is a parameter, so tests point it at a fixture tree.
 */
export interface DiscoveryRoots {
  /** Default /dev. */
  devDir: string;
  /** Default /proc: who holds which device open. */
  procDir: string;
  /** Default /sys: which hidraw node is a CP2110. */
  sysDir: string;
  /** The kernel command line (default read from `<procDir>/cmdline`): a console on a serial port. */
  cmdline?: string | undefined;
}

export interface PortHolder {
  pid: number;
  command: string;
}

export interface PortCandidate {
  /** The path to configure: the most stable name of the device (udev link first). */
  path: string;
  /** Every name found for this device, the configured one first. */
  names: string[];
  /** The device node the names lead to. */
  device: string;
  transport: 'serial' | 'cp2110';
  /** Processes that have it open (a getty, another agent, a modem manager): the port is skipped. */
  heldBy: PortHolder[];
  /** The kernel's console writes here: a module on this port cannot work until it is turned off. */
  console: boolean;
}

/** Stable names first: they survive replugging and reboots, /dev/ttyUSB0 does not. */
const NAME_RANK: readonly ((name: string, devDir: string) => boolean)[] = [
  (name, devDir) => name === join(devDir, 'fingerprint') || name === join(devDir, 'fingerprint-hid'),
  (name, devDir) => name.startsWith(join(devDir, 'serial', 'by-id') + '/'),
  (name, devDir) => name.startsWith(join(devDir, 'serial', 'by-path') + '/'),
  (name, devDir) => name === join(devDir, 'serial0') || name === join(devDir, 'serial1'),
];

const SERIAL_NODE = /^(serial[01]|ttyAMA\d+|ttyUSB\d+|ttyACM\d+|ttyS0)$/;
const CONSOLE_NAMES = /^(serial0|serial1|ttyAMA\d+|ttyS\d+|ttyUSB\d+|ttyACM\d+)$/;

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function rank(name: string, devDir: string): number {
  const index = NAME_RANK.findIndex((matches) => matches(name, devDir));
  return index === -1 ? NAME_RANK.length : index;
}

/** The serial names present: nodes and links in devDir, then the udev folders. */
function serialNames(devDir: string): string[] {
  const direct = listDir(devDir)
    .filter((name) => SERIAL_NODE.test(name) || name === 'fingerprint')
    .map((name) => join(devDir, name));
  const linked = ['by-id', 'by-path'].flatMap((folder) =>
    listDir(join(devDir, 'serial', folder)).map((name) => join(devDir, 'serial', folder, name)),
  );
  return [...direct, ...linked];
}

/** hidraw nodes whose USB ids are a CP2110 or CP2114 (from sysfs), and the /dev/fingerprint-hid link. */
function bridgeNames(devDir: string, sysDir: string): string[] {
  const bridges = listDir(devDir)
    .filter((name) => /^hidraw\d+$/.test(name))
    .filter((name) => {
      let uevent: string;
      try {
        uevent = readFileSync(join(sysDir, 'class', 'hidraw', name, 'device', 'uevent'), 'utf8');
      } catch {
        return false;
      }
      const ids = /^HID_ID=[0-9A-Fa-f]+:([0-9A-Fa-f]+):([0-9A-Fa-f]+)$/m.exec(uevent);
      if (ids === null) return false;
      const [vendor, product] = [parseInt(ids[1]!, 16), parseInt(ids[2]!, 16)];
      return vendor === CP2110_VENDOR_ID && (product === CP2110_PRODUCT_ID || product === CP2114_PRODUCT_ID);
    })
    .map((name) => join(devDir, name));
  const link = join(devDir, 'fingerprint-hid');
  return existsSync(link) ? [link, ...bridges] : bridges;
}

/** Device node → the processes holding it, from every `<procDir>/<pid>/fd/*` link this process may read. */
export function portHolders(procDir: string, devices: ReadonlySet<string>): Map<string, PortHolder[]> {
  const holders = new Map<string, PortHolder[]>();
  for (const entry of listDir(procDir)) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const fdDir = join(procDir, entry, 'fd');
    for (const fd of listDir(fdDir)) {
      let target: string;
      try {
        target = readlinkSync(join(fdDir, fd));
      } catch {
        continue;
      }
      if (!devices.has(target)) continue;
      const list = holders.get(target) ?? [];
      if (list.some((holder) => holder.pid === Number(entry))) continue;
      let command = '?';
      try {
        command = readFileSync(join(procDir, entry, 'comm'), 'utf8').trim();
      } catch {
        // The process ended while we looked: it still held the port a moment ago.
      }
      list.push({ pid: Number(entry), command });
      holders.set(target, list);
    }
  }
  return holders;
}

/** The device names the kernel console writes to: `console=serial0,115200 console=tty1` → serial0. */
export function consoleDevices(cmdline: string): Set<string> {
  const names = new Set<string>();
  for (const word of cmdline.split(/\s+/)) {
    const name = /^console=([^,\s]+)/.exec(word)?.[1];
    if (name !== undefined && CONSOLE_NAMES.test(name)) names.add(name);
  }
  return names;
}

function resolveNode(name: string): string | undefined {
  try {
    return realpathSync(name);
  } catch {
    // A dangling udev link: the device it named is gone.
    return undefined;
  }
}

/** Every port a module may be on, one entry per device, held and console ports included (and flagged). */
export function discoverPorts(roots: DiscoveryRoots): PortCandidate[] {
  const byDevice = new Map<string, { names: string[]; transport: PortCandidate['transport'] }>();
  const add = (name: string, transport: PortCandidate['transport']): void => {
    const device = resolveNode(name);
    if (device === undefined) return;
    const entry = byDevice.get(device) ?? { names: [], transport };
    if (!entry.names.includes(name)) entry.names.push(name);
    byDevice.set(device, entry);
  };
  for (const name of serialNames(roots.devDir)) add(name, 'serial');
  for (const name of bridgeNames(roots.devDir, roots.sysDir)) add(name, 'cp2110');

  const cmdline = roots.cmdline ?? readOptional(join(roots.procDir, 'cmdline'));
  const consoles = consoleDevices(cmdline);
  const holders = portHolders(roots.procDir, new Set(byDevice.keys()));
  return [...byDevice.entries()].map(([device, { names, transport }]) => {
    const ordered = [...names].sort((a, b) => rank(a, roots.devDir) - rank(b, roots.devDir) || a.localeCompare(b));
    const console = [device, ...names].some((name) => consoles.has(basename(name)));
    return { path: ordered[0]!, names: ordered, device, transport, heldBy: holders.get(device) ?? [], console };
  });
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
