import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../../src/clock/systemClock.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import type { Bench, BenchRow } from './types.js';

const ROUNDS = 8;
const PER_ROUND = 150;
const WARM_UP = 50;

interface Timing {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function signIn(i: number) {
  return { memberId: `m-${i % 60}`, page: i % 200, score: 90 + (i % 110), activityId: 'a-2024-06-05' };
}

/** A plain INSERT of the same columns and sizes, on the same schema, pragmas and file system. */
function plainInserter(db: Db, bootId: string): (i: number) => void {
  const insert = db.prepare(
    'INSERT INTO events (seq, id, type, payload, wall_ms, boot_id, mono_ms, clock, prev_hash, hash, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const hash = 'ab'.repeat(32);
  const signature = `${'A'.repeat(86)}==`;
  let seq = 0;
  return (i) => {
    insert.run(
      ++seq,
      randomUUID(),
      'signin.accepted',
      JSON.stringify(signIn(i)),
      Date.now(),
      bootId,
      Math.floor(performance.now()),
      'synced',
      hash,
      hash,
      'cd'.repeat(8),
      signature,
    );
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs both in rounds of alternating order, so that drift of the disk or the machine hits both alike. */
function measure(
  journalAppend: (i: number) => void,
  plainAppend: (i: number) => void,
): { journal: Timing; plain: Timing } {
  const samples = { journal: [] as number[], plain: [] as number[] };
  const run = (append: (i: number) => void, into: number[] | undefined, count: number) => {
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      append(i);
      into?.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  };
  run(journalAppend, undefined, WARM_UP);
  run(plainAppend, undefined, WARM_UP);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['journal', 'plain'] as const) : (['plain', 'journal'] as const);
    for (const which of order) run(which === 'journal' ? journalAppend : plainAppend, samples[which], PER_ROUND);
  }
  const timing = (values: number[]): Timing => {
    const sorted = [...values].sort((a, b) => a - b);
    const totalMs = values.reduce((sum, value) => sum + value, 0);
    return {
      perSecond: (values.length / totalMs) * 1000,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    };
  };
  return { journal: timing(samples.journal), plain: timing(samples.plain) };
}

/** The file system type holding `path` (the longest matching mount point), for the report. */
function fileSystemOf(path: string): string {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(
      (fields) =>
        fields.length > 2 && (path === fields[1] || path.startsWith(fields[1] === '/' ? '/' : `${fields[1]}/`)),
    );
  const mount = mounts.sort((a, b) => b[1]!.length - a[1]!.length)[0];
  return mount === undefined ? 'unknown file system' : `${mount[2]} at ${mount[1]}`;
}

function rows(label: string, { journal, plain }: { journal: Timing; plain: Timing }, note: string): BenchRow[] {
  return [
    {
      metric: `${label} appends/s`,
      value: journal.perSecond,
      unit: '1/s',
      baseline: plain.perSecond,
      ratio: plain.perSecond / journal.perSecond,
      note: `ratio = time per append vs plain INSERT; ${note}`,
    },
    {
      metric: `${label} p50`,
      value: journal.p50Ms,
      unit: 'ms',
      baseline: plain.p50Ms,
      ratio: journal.p50Ms / plain.p50Ms,
    },
    {
      metric: `${label} p99`,
      value: journal.p99Ms,
      unit: 'ms',
      baseline: plain.p99Ms,
      ratio: journal.p99Ms / plain.p99Ms,
    },
    {
      metric: `${label} added per append (p50)`,
      value: journal.p50Ms - plain.p50Ms,
      unit: 'ms',
      note: 'absolute cost of chain + signature + head update',
    },
  ];
}

/**
 * Journal append of a sign-in (canonical encoding, SHA-256 chain, Ed25519 signature, head update,
 * synchronous=FULL) against a plain better-sqlite3 INSERT of the same row. Set
 * ROOM_AGENT_BENCH_DIR to measure on the SD card rather than the temp directory.
 */
export const benchJournal: Bench = () => {
  const base = mkdtempSync(join(process.env.ROOM_AGENT_BENCH_DIR ?? tmpdir(), 'room-agent-bench-'));
  const clock = new SystemClock({ name: 'bench', isSynced: () => true });
  const journal = Journal.open({
    dataDir: join(base, 'journal'),
    clock,
    logger: createSilentLogger(),
    access: 'create',
  });
  mkdirSync(join(base, 'plain'));
  const plain = openDatabase(join(base, 'plain', 'journal.sqlite'), { access: 'create' });
  try {
    const journalAppend = (i: number) => void journal.append('signin.accepted', signIn(i));
    const plainAppend = plainInserter(plain, clock.bootId);
    const where = fileSystemOf(base);
    const durable = measure(journalAppend, plainAppend);
    // The same without fsync isolates what the chain and the signature cost in CPU.
    journal.db.pragma('synchronous = OFF');
    plain.pragma('synchronous = OFF');
    const cpu = measure(journalAppend, plainAppend);
    return {
      name: 'journal append (sign-in event)',
      rows: [
        ...rows('synchronous=FULL', durable, `${ROUNDS * PER_ROUND} each on ${where}`),
        ...rows('synchronous=OFF (CPU only)', cpu, 'not a durable setting: shows the cost of hash + signature'),
      ],
    };
  } finally {
    journal.close();
    plain.close();
    rmSync(base, { recursive: true, force: true });
  }
};
