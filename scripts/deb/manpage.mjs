// Writes room-agent(1) to stdout from `room-agent --lang en help` on stdin, so the manual page
// lists exactly the commands of the release it ships in.
//
//   room-agent --lang en help | node manpage.mjs VERSION
import { readFileSync } from 'node:fs';

const [version] = process.argv.slice(2);
if (version === undefined) {
  process.stderr.write('usage: room-agent --lang en help | node manpage.mjs VERSION\n');
  process.exit(2);
}

/** roff: backslashes and hyphens escaped, no line starting with a control character. */
const roff = (text) =>
  text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/, '\\&$1');

const lines = readFileSync(0, 'utf8').split('\n');
const commands = [];
for (let i = 0; i < lines.length; i++) {
  const match = /^ {2}room-agent (.*)$/.exec(lines[i]);
  if (match !== null) commands.push({ usage: match[1], summary: (lines[i + 1] ?? '').trim() });
}
if (commands.length === 0) {
  process.stderr.write('manpage.mjs: no commands in the help text on stdin\n');
  process.exit(1);
}

process.stdout.write(
  [
    `.TH ROOM\\-AGENT 1 "" "room\\-agent ${roff(version)}" "User Commands"`,
    '.SH NAME',
    'room\\-agent \\- edge agent for village party\\-activity rooms',
    '.SH SYNOPSIS',
    '.B room\\-agent',
    '[\\fB\\-\\-lang\\fR \\fIzh\\fR|\\fIen\\fR] \\fIcommand\\fR ...',
    '.SH DESCRIPTION',
    'Fingerprint sign\\-in with a tamper\\-evident journal, camera streams and recordings, and their',
    'sync to the county center. The daemon runs as the systemd unit room\\-agent.service',
    '(\\fBroom\\-agent run\\fR); the other commands are for the technician. Messages are in Chinese',
    'unless \\fB\\-\\-lang en\\fR, ROOM_AGENT_LANG=en or an English locale is set.',
    'The center and demo commands need the room\\-agent\\-center package.',
    '.SH COMMANDS',
    ...commands.flatMap(({ usage, summary }) => ['.TP', `.B room\\-agent ${roff(usage)}`, roff(summary)]),
    '.SH FILES',
    '.TP',
    '.I /etc/room\\-agent/config.yaml',
    'the configuration, written by \\fBroom\\-agent provision\\fR',
    '.TP',
    '.I /etc/room\\-agent/secrets.env',
    'the county password and other secrets',
    '.TP',
    '.I /var/lib/room\\-agent',
    'the journal, the device key and the remote configuration',
    '.TP',
    '.I /usr/share/room\\-agent/room\\-agent.example.yaml',
    'every setting, commented',
    '.SH SEE ALSO',
    '/usr/share/doc/room\\-agent/README.md',
    '',
  ].join('\n'),
);
