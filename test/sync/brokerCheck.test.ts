import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBroker } from '../../src/sync/link/brokerCheck.js';
import { brokerCheckLine } from '../../src/sync/link/brokerCheckText.js';
import { withLanguage } from '../../src/i18n.js';
import { makeTempDir } from '../helpers/cli.js';
import { freePort, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { countySettings } from './linkFixtures.js';

const temp = makeTempDir('room-agent-broker-check-');
let broker: Mosquitto;

beforeAll(async () => {
  const passwords = join(temp.dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-c', '-b', passwords, 'room-a', 'secret-a']);
  broker = await startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${passwords}`] });
});

afterAll(async () => {
  await broker?.stop();
  temp.cleanup();
});

describe('checkBroker against a real Mosquitto', () => {
  it('connects once as <device.id>-provision with a clean session and reports ok', async () => {
    const result = await checkBroker({
      county: countySettings(broker.url, { password: 'secret-a' }),
      deviceId: 'room-a',
    });
    expect(result).toMatchObject({ ok: true, url: broker.url, clientId: 'room-a-provision' });
    expect(broker.log()).toMatch(/New client connected from .* as room-a-provision \(p5, c1, k\d+, u'room-a'\)/);
    expect(withLanguage('en', () => brokerCheckLine(result))).toMatch(
      /^county broker mqtt:\/\/127\.0\.0\.1:\d+ reached \(\d+ ms\)$/,
    );
  });

  it('names a wrong password as auth, with the CONNACK reason (Mosquitto answers 0x87)', async () => {
    const result = await checkBroker({ county: countySettings(broker.url, { password: 'wrong' }), deviceId: 'room-a' });
    expect(result).toMatchObject({ ok: false, kind: 'auth', code: 0x87 });
    expect(result.ok || result.reason).toContain('0x87 Not authorized');
    expect(withLanguage('en', () => brokerCheckLine(result))).toContain(
      'auth: the broker refused the user name, password',
    );
  });

  it('names a closed port as tcp (refused)', async () => {
    const port = await freePort();
    const result = await checkBroker({ county: countySettings(`mqtt://127.0.0.1:${port}`), deviceId: 'room-a' });
    expect(result).toMatchObject({ ok: false, kind: 'tcp', code: 'ECONNREFUSED' });
  });

  it('names a host that does not resolve as dns', async () => {
    const result = await checkBroker({
      county: countySettings('mqtts://broker.room-agent-test.invalid:8883'),
      deviceId: 'room-a',
    });
    expect(result).toMatchObject({ ok: false, kind: 'dns' });
    expect(result.ok || result.reason).toContain('broker.room-agent-test.invalid cannot be resolved');
  });

  it('names a silent port as tcp or timeout within its bound, never hanging', async () => {
    // 192.0.2.0/24 is TEST-NET-1: nothing answers there; a route may be missing (unreachable) or drop the SYN (timeout).
    const started = performance.now();
    const result = await checkBroker({
      county: countySettings('mqtts://192.0.2.1:8883'),
      deviceId: 'room-a',
      timeoutMs: 1500,
    });
    expect(result).toMatchObject({ ok: false, kind: 'tcp' });
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
