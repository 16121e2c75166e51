import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/daemon/sdnotify.js';
import { createSilentLogger } from '../../src/log.js';

// Node cannot bind an abstract datagram socket, so a few lines of Python play systemd here.
const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + sys.argv[1])
print('bound', flush=True)
s.settimeout(10)
while True:
    print(s.recv(4096).decode().replace('\\n', '|'), flush=True)
`;

const available = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

describe.skipIf(!available('python3') || !available('systemd-notify'))('sd_notify to an abstract NOTIFY_SOCKET', () => {
  it('delivers READY=1 with its STATUS line through systemd-notify', async () => {
    const name = `room-agent-test-${process.pid}`;
    const receiver = spawn('python3', ['-c', RECEIVER, name], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    receiver.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
    await once(receiver.stdout, 'data');

    const notifier = await createNotifier({ NOTIFY_SOCKET: `@${name}` }, createSilentLogger());
    notifier.ready('running; all services ok');
    const deadline = Date.now() + 5_000;
    while (!lines.some((line) => line.includes('READY=1')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    receiver.kill();
    expect(lines).toContain('READY=1|STATUS=running; all services ok');
  });
});
