/**
 * `npm run bench`: runs every benchmark and prints its figures beside a baseline measured in the
 * same run, so the ratios mean something on any machine. Benchmarks are reported, never asserted.
 * `npm run bench -- journal` runs only the named ones; `--name=value` arguments go to every bench
 * run (e.g. `npm run bench -- sync-fleet --rooms=50 --events=500`). Sizes: sync-fleet `--rooms`
 * `--events`, sync-backfill and sync-uplink `--events` `--rounds`, uplink-share `--events`, signin `--sign-ins`, camera
 * `--rounds` `--window-seconds` `--outages` `--down-seconds` `--grabs`, recording `--rounds`
 * `--window-seconds`.
 */
import type { Bench, BenchOptions, BenchResult } from './types.js';
import { benchCamera } from './camera.js';
import { benchCenterPage } from './centerPage.js';
import { benchJournal } from './journal.js';
import { benchRecording } from './recording.js';
import { benchSignin } from './signin.js';
import { benchStartup } from './startup.js';
import { benchSyncBackfill } from './syncBackfill.js';
import { benchSyncFleet } from './syncFleet.js';
import { benchSyncUplink } from './syncUplink.js';
import { benchUplinkShare } from './uplinkShare.js';

const BENCHES: Record<string, Bench> = {
  journal: benchJournal,
  startup: benchStartup,
  signin: benchSignin,
  'sync-backfill': benchSyncBackfill,
  'sync-uplink': benchSyncUplink,
  'uplink-share': benchUplinkShare,
  'sync-fleet': benchSyncFleet,
  'center-page': benchCenterPage,
  camera: benchCamera,
  recording: benchRecording,
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
    process.stdout.write(
      `${line
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

const args = process.argv.slice(2);
const options: BenchOptions = new Map(
  args
    .filter((arg) => arg.startsWith('--'))
    .map((arg) => {
      const [name, ...value] = arg.slice(2).split('=');
      return [name!, value.join('=')] as [string, string];
    }),
);
const selected = args.filter((arg) => !arg.startsWith('--'));
const unknown = selected.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(64);
}
process.stdout.write(`room-agent benchmarks on node ${process.version}, ${new Date().toISOString()}\n`);
for (const name of selected.length > 0 ? selected : Object.keys(BENCHES)) {
  print(await BENCHES[name]!(options));
}
