import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { arrayContaining } from '../../helpers/matchers.js';

/**
 * No udevd runs here, so these checks read the shipped rules as udev would tokenise them: a typo
 * such as ATTR for ATTRS, "=" for "==", or a missing GROUP silently matches nothing on a device.
 */
type Key = { name: string; attribute?: string; operator: string; value: string };

function parseRules(file: string): { active: Key[][]; examples: Key[][] } {
  const text = readFileSync(fileURLToPath(new URL(`../../../systemd/${file}`, import.meta.url)), 'utf8');
  const active: Key[][] = [];
  const examples: Key[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    // Commented-out rules are the examples a technician uncomments: they must parse too.
    const example = /^#(SUBSYSTEM|ACTION|KERNEL)/.test(line);
    if (line.startsWith('#') && !example) continue;
    (example ? examples : active).push(parseRule(example ? line.slice(1) : line));
  }
  return { active, examples };
}

function parseRule(line: string): Key[] {
  const body = line.replace(/\s+#.*$/, '');
  return body.split(/,\s*/).map((part) => {
    const match = /^([A-Z_]+)(?:\{([A-Za-z_]+)\})?(==|!=|\+=|:=|=)"([^"]*)"$/.exec(part.trim());
    if (match === null) throw new Error(`not a udev key: ${part} (in ${line})`);
    const [, name, attribute, operator, value] = match;
    return { name: name!, ...(attribute ? { attribute } : {}), operator: operator!, value: value! };
  });
}

const MATCH_KEYS = new Set(['ACTION', 'SUBSYSTEM', 'KERNEL', 'KERNELS', 'ATTRS']);
const ASSIGN_KEYS = new Set(['GROUP', 'MODE', 'SYMLINK', 'ENV', 'ATTR']);

function checkOperators(rule: Key[]): void {
  for (const key of rule) {
    if (MATCH_KEYS.has(key.name)) expect(key.operator, `${key.name} must match with ==`).toBe('==');
    else if (ASSIGN_KEYS.has(key.name)) expect(['=', '+=']).toContain(key.operator);
    else throw new Error(`unexpected key ${key.name}`);
  }
}

const value = (rule: Key[], name: string, attribute?: string) =>
  rule.find((key) => key.name === name && key.attribute === attribute)?.value;

describe('60-room-agent-scanners.rules', () => {
  const { active, examples } = parseRules('60-room-agent-scanners.rules');

  it('grants the agent the CP2110 and CP2114 hidraw nodes', () => {
    expect(active.map((rule) => `${value(rule, 'ATTRS', 'idVendor')}:${value(rule, 'ATTRS', 'idProduct')}`)).toEqual([
      '10c4:ea80',
      '10c4:eab0',
    ]);
    for (const rule of active) {
      checkOperators(rule);
      expect(value(rule, 'SUBSYSTEM')).toBe('hidraw');
      expect(value(rule, 'GROUP')).toBe('room-agent');
      expect(value(rule, 'MODE')).toBe('0660');
    }
  });

  it('offers /dev/fingerprint examples for CP210x, CH340, PL2303 and FTDI that parse as rules', () => {
    const ids = examples.map((rule) => `${value(rule, 'ATTRS', 'idVendor')}:${value(rule, 'ATTRS', 'idProduct')}`);
    expect(ids).toEqual(arrayContaining(['10c4:ea60', '1a86:7523', '067b:2303', '0403:6001']));
    for (const rule of examples) {
      checkOperators(rule);
      expect(value(rule, 'SUBSYSTEM')).toBe('tty');
      expect(value(rule, 'SYMLINK')).toBe('fingerprint');
      expect(value(rule, 'GROUP')).toBe('room-agent');
    }
    expect(examples.some((rule) => value(rule, 'KERNELS') !== undefined)).toBe(true);
  });
});

describe('70-room-agent-keyboard-reader.rules', () => {
  const { active } = parseRules('70-room-agent-keyboard-reader.rules');

  it('gives the reader’s hidraw node to the agent and inhibits its input devices', () => {
    active.forEach(checkOperators);
    const hidraw = active.find((rule) => value(rule, 'SUBSYSTEM') === 'hidraw')!;
    expect(value(hidraw, 'GROUP')).toBe('room-agent');
    expect(value(hidraw, 'MODE')).toBe('0660');
    const input = active.find((rule) => value(rule, 'SUBSYSTEM') === 'input')!;
    // inhibited lives on inputN itself (ATTR), not on a parent, and not on the eventN node.
    expect(input.find((key) => key.name === 'ATTR')).toEqual({
      name: 'ATTR',
      attribute: 'inhibited',
      operator: '=',
      value: '1',
    });
    expect(value(input, 'KERNEL')).toBe('input[0-9]*');
    // Both rules select the same reader.
    for (const attribute of ['idVendor', 'idProduct']) {
      expect(value(input, 'ATTRS', attribute)).toBe(value(hidraw, 'ATTRS', attribute));
    }
  });
});
