import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { doctorReportSchema, type DoctorReport } from '../../src/sync/protocol/doctorReport.js';
import { makeTempDir, runCli, type CliResult } from '../helpers/cli.js';
import type { Mosquitto } from '../helpers/mosquitto.js';
import { startMosquitto } from '../helpers/mosquitto.js';

export const DEVICE_ID = 'doctor-room';
export const PASSWORD = 'doctor-secret';

/** A broker that knows this room's password only: a wrong one is refused as auth. */
export async function startPasswordBroker(dir: string): Promise<Mosquitto> {
  const passwords = join(dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-c', '-b', passwords, DEVICE_ID, PASSWORD]);
  return startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${passwords}`] });
}

export interface RoomOptions {
  brokerUrl: string;
  password?: string;
  /** YAML lines of the scanner section; default driver none. */
  scanner?: string;
  /** Extra top-level YAML (cameras…). */
  sections?: string;
  /** Extra county lines (certFile…). */
  county?: string[];
}

/**
 * A room for the doctor: its data folder, a sysfs of its own (firmware flags 0, an active
 * watchdog) and a clock flag file, so that every host check has something to read.
 */
export function doctorRoom(options: RoomOptions) {
  const temp = makeTempDir('room-agent-doctor-');
  const dataDir = join(temp.dir, 'data');
  const sysDir = join(temp.dir, 'sys');
  const flag = join(temp.dir, 'synchronized');
  const configPath = join(temp.dir, 'config.yaml');
  const socketPath = join(dataDir, 'control.sock');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(join(sysDir, 'devices/platform/soc/soc:firmware'), { recursive: true });
  writeFileSync(join(sysDir, 'devices/platform/soc/soc:firmware/get_throttled'), '0x0\n');
  mkdirSync(join(sysDir, 'class/watchdog/watchdog0'), { recursive: true });
  const watchdog = { identity: 'Broadcom BCM2835 Watchdog timer', timeout: '15', state: 'active' };
  for (const [file, text] of Object.entries(watchdog))
    writeFileSync(join(sysDir, 'class/watchdog/watchdog0', file), `${text}\n`);
  writeFileSync(flag, '');
  // systemd as the doctor asks it: the unit's properties and timesyncd's server, from scripts of the test's own.
  const bin = join(temp.dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'systemctl'),
    '#!/bin/sh\nprintf "LoadState=loaded\\nActiveState=active\\nSubState=running\\nWatchdogUSec=30s\\nNRestarts=0\\n"\n',
    { mode: 0o755 },
  );
  writeFileSync(
    join(bin, 'timedatectl'),
    '#!/bin/sh\nprintf "ServerName=ntp.county.example\\nServerAddress=10.0.0.5\\n"\n',
    { mode: 0o755 },
  );
  const path = `${bin}:${process.env.PATH ?? ''}`;
  const write = (overrides: Partial<RoomOptions> = {}): void => {
    const o = { ...options, ...overrides };
    writeFileSync(
      configPath,
      [
        'version: 1',
        'device:',
        `  id: ${DEVICE_ID}`,
        `  dataDir: ${dataDir}`,
        'county:',
        `  url: ${o.brokerUrl}`,
        `  password: ${o.password ?? PASSWORD}`,
        ...(o.county ?? []).map((line) => `  ${line}`),
        'clock:',
        `  syncFlagPath: ${flag}`,
        'log:',
        '  format: json',
        o.scanner ?? 'scanner:\n  driver: none',
        o.sections ?? '',
      ].join('\n'),
    );
  };
  write();
  return {
    temp,
    dataDir,
    sysDir,
    flag,
    configPath,
    socketPath,
    rewrite: write,
    /** `room-agent doctor` in English; the PATH keeps systemctl and timedatectl out unless a test adds them. */
    doctor(extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
      return runCli(['doctor', '--config', configPath, '--sys-dir', sysDir, ...extra], {
        timeoutMs: 60_000,
        env: { PATH: path, ...env },
      });
    },
    async report(env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; report: DoctorReport }> {
      const result = await this.doctor(['--json'], env);
      expect(result.stderr).toBe('');
      return { code: result.code, report: doctorReportSchema.parse(JSON.parse(result.stdout)) };
    },
  };
}

/** The line of one check in the doctor's output. */
export function lineOf(stdout: string, start: string): string {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(start));
  expect(line, `no line starting "${start}" in:\n${stdout}`).toBeDefined();
  return line!;
}
