/**
 * `npm run bench`: runs every benchmark and prints its figures beside a baseline measured in the
 * same run, so the ratios mean something on any machine. Benchmarks are reported, never asserted.
 * `npm run bench -- journal` runs only the named ones.
 */
import type { Bench, BenchResult } from './types.js';
import { benchJournal } from './journal.js';
import { benchSignin } from './signin.js';
import { benchStartup } from './startup.js';

const BENCHES: Record<string, Bench> = {
  journal: benchJournal,
  startup: benchStartup,
  signin: benchSignin,
};

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function print(result: BenchResult): void {
  process.stdout.write(`\n## ${result.name}\n`);
  const header = ['metric', 'value', 'unit', 'baseline', 'ratio', 'note'];
  const rows = result.rows.map((row) => [
    row.metric,
    formatNumber(row.value),
    row.unit,
    row.baseline === undefined ? '' : formatNumber(row.baseline),
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x`,
    row.note ?? '',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const line of [header, ...rows]) {
    process.stdout.write(`${line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
  }
}

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(64);
}
process.stdout.write(`room-agent benchmarks on node ${process.version}, ${new Date().toISOString()}\n`);
for (const name of selected.length > 0 ? selected : Object.keys(BENCHES)) {
  print(await BENCHES[name]!());
}
