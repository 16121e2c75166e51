import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { MINIMAL_CONFIG, writeFile } from './files.js';

/**
 * A bad configuration never starts the daemon: `run` and `config check` print the same lines,
 * one per problem, and exit 78. Each row is one kind of mistake a technician makes.
 */
interface Row {
  name: string;
  /** File content; undefined when the row makes the path itself unreadable. */
  text?: string;
  /** The path to pass, if not a file written from `text`. */
  path?: (dir: string) => string;
  expected: (file: string) => string[];
}

const ROWS: Row[] = [
  {
    name: 'missing key',
    text: 'version: 1\ndevice:\n  name: Hall\ncounty:\n  url: mqtts://mqtt.county.example:8883\n',
    expected: () => ['device.id: required'],
  },
  {
    name: 'missing section',
    text: 'version: 1\ndevice:\n  id: yx-test-01\n',
    expected: () => ['county: required'],
  },
  {
    name: 'empty file',
    text: '',
    expected: () => ['version: required', 'device: required', 'county: required'],
  },
  {
    name: 'wrong type',
    text: `${MINIMAL_CONFIG}feedback:\n  gpio: "yes"\n`.replace('id: yx-test-01', 'id: yx-test-01\n  name: 42'),
    expected: () => [
      'device.name: expected a string, found 42 (number)',
      'feedback.gpio: expected true or false, found "yes" (string)',
    ],
  },
  {
    name: 'wrong type of a section',
    text: `${MINIMAL_CONFIG}scanner: r30x\n`,
    expected: () => ['scanner: expected a mapping (key: value), found "r30x" (string)'],
  },
  {
    name: 'not a whole number',
    text: `${MINIMAL_CONFIG}clock:\n  pollSeconds: 2.5\n`,
    expected: () => ['clock.pollSeconds: expected a whole number, found 2.5 (number)'],
  },
  {
    name: 'out of range',
    text: `${MINIMAL_CONFIG}journal:\n  retentionDays: 0\n  pruneIntervalMinutes: 10081\n`,
    expected: () => [
      'journal.retentionDays: 0 is below the minimum 1',
      'journal.pruneIntervalMinutes: 10081 is above the maximum 10080',
    ],
  },
  {
    name: 'bad enum',
    text: `${MINIMAL_CONFIG}scanner:\n  driver: r31x\n  baudRate: 57601\n`,
    expected: () => [
      'scanner.driver: "r31x" is not one of r30x, gt521, hid-keyboard, emulator, none',
      'scanner.baudRate: 57601 is not one of 9600…115200',
    ],
  },
  {
    name: 'unknown key',
    text: `${MINIMAL_CONFIG}scanner:\n  baudrate: 57600\n  colour: red\ncamera: []\n`,
    expected: () => [
      'scanner.baudrate: unknown key (did you mean baudRate?)',
      'scanner.colour: unknown key',
      'camera: unknown key (did you mean cameras?)',
    ],
  },
  {
    name: 'pattern',
    text: `${MINIMAL_CONFIG}cameras:\n  - name: hall\n    url: http://admin:secret@192.168.1.64/\n`,
    expected: () => ['cameras[0].url: "http://admin:***@192.168.1.64/" is not an rtsp:// URL'],
  },
  {
    name: 'YAML syntax error: duplicate key',
    text: 'version: 1\ndevice:\n  id: yx-test-01\n  id: yx-test-02\ncounty:\n  url: mqtts://mqtt.county.example:8883\n',
    expected: (file) => [`${file}:4:3: YAML syntax error: Map keys must be unique`],
  },
  {
    name: 'YAML syntax error: tab indentation',
    text: 'version: 1\ndevice:\n  id: yx-test-01\n\tname: Hall\ncounty:\n  url: mqtts://mqtt.county.example:8883\n',
    expected: (file) => [`${file}:4:1: YAML syntax error: Tabs are not allowed as indentation`],
  },
  {
    name: 'unreadable: missing file',
    path: (dir) => join(dir, 'absent.yaml'),
    expected: (file) => [`${file}: cannot read: no such file or directory (ENOENT)`],
  },
  {
    name: 'unreadable: a directory',
    path: (dir) => {
      mkdirSync(join(dir, 'config.d'), { recursive: true });
      return join(dir, 'config.d');
    },
    expected: (file) => [`${file}: cannot read: is a directory (EISDIR)`],
  },
  {
    // Tests run as root, so a mode-000 file would be readable; a path through a file is not.
    name: 'unreadable: path through a regular file',
    path: (dir) => join(writeFile(dir, 'plain.yaml', MINIMAL_CONFIG), 'config.yaml'),
    expected: (file) => [`${file}: cannot read: not a directory (ENOTDIR)`],
  },
  {
    name: 'several errors at once, in file order',
    text: [
      'version: 1',
      'device:',
      '  name: 42',
      'scanner:',
      '  driver: r31x',
      '  baudrate: 57600',
      'county:',
      '  url: http://mqtt.county.example',
      'journal:',
      '  retentionDays: 3651',
      'cameras:',
      '  - name: hall',
      '    url: rtsp://192.168.1.64/stream',
      '    push:',
      '      url: rtmp://media.county.example/live',
      '      mode: sometimes',
      '  - name: hall',
      '    url: rtsp://192.168.1.65/stream',
      '',
    ].join('\n'),
    expected: () => [
      'device.id: required',
      'device.name: expected a string, found 42 (number)',
      'scanner.driver: "r31x" is not one of r30x, gt521, hid-keyboard, emulator, none',
      'scanner.baudrate: unknown key (did you mean baudRate?)',
      'county.url: "http://mqtt.county.example" is not an mqtt://, mqtts://, ws:// or wss:// URL',
      'journal.retentionDays: 3651 is above the maximum 3650',
      'cameras[0].push.mode: "sometimes" is not one of activity, always, on-demand',
      'cameras[1].name: "hall" is already used by another camera',
    ],
  },
];

const COMMANDS = [
  { name: 'run', args: (file: string, dataDir: string) => ['run', '--config', file, '--data-dir', dataDir] },
  { name: 'config check', args: (file: string) => ['config', 'check', file] },
];

const temp = makeTempDir();
afterAll(temp.cleanup);

describe.each(COMMANDS)('$name with a bad configuration', (command) => {
  it.each(ROWS)('$name: exact problem lines and exit 78', async (row) => {
    const dir = join(temp.dir, `${command.name.replace(' ', '-')}-${row.name.replace(/[^a-z]+/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    const file = row.path ? row.path(dir) : writeFile(dir, 'config.yaml', row.text!);
    const result = await runCli(command.args(file, join(dir, 'data')));
    expect({ code: result.code, stderr: result.stderr, stdout: result.stdout }).toEqual({
      code: 78,
      stderr: row
        .expected(file)
        .map((line) => `${line}\n`)
        .join(''),
      stdout: '',
    });
  });
});
