#!/usr/bin/env bash
# Runs test files again and again under CPU load and counts passes per file: a test that passes
# only on a quiet machine shows up here, not in CI. Builds once (not with ROOM_AGENT_SKIP_BUILD=1,
# as for vitest), then runs vitest on the files (as the suite does, two workers) --runs times
# with --load busy loops (default one per core) spinning meanwhile.
#   scripts/soak.sh [--runs N] [--load N] [--keep DIR] FILE_OR_DIR...
# --keep DIR keeps each failed round's vitest output there. Exit status 1 when any run failed.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
load=$(nproc)
keep=''
while (($#)); do
  case "$1" in
    --runs) runs=$2 && shift 2 ;;
    --load) load=$2 && shift 2 ;;
    --keep) keep=$2 && shift 2 ;;
    --) shift && break ;;
    -*) echo "scripts/soak.sh: unknown option $1" >&2 && exit 2 ;;
    *) break ;;
  esac
done
if (($# == 0)); then
  echo 'usage: scripts/soak.sh [--runs N] [--load N] [--keep DIR] FILE_OR_DIR...' >&2
  exit 2
fi

busy=()
work=$(mktemp -d)
stopLoad() {
  if ((${#busy[@]})); then kill "${busy[@]}" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stopLoad EXIT
trap 'exit 130' INT TERM

[ -n "${ROOM_AGENT_SKIP_BUILD:-}" ] || npm run build >/dev/null
for ((i = 0; i < load; i++)); do
  node -e 'for (;;) {}' &
  busy+=("$!")
done
[ -z "$keep" ] || mkdir -p "$keep"

for ((run = 1; run <= runs; run++)); do
  started=$SECONDS
  status=0
  ROOM_AGENT_SKIP_BUILD=1 npx vitest run --config test/vitest.config.ts \
    --reporter=default --reporter=json --outputFile.json="$work/run-$run.json" "$@" >"$work/run-$run.log" 2>&1 || status=$?
  echo "round $run/$runs: vitest exit $status after $((SECONDS - started)) s"
  if ((status)) && [ -n "$keep" ]; then cp "$work/run-$run.log" "$keep/run-$run.log"; fi
done

# One line per file: passes out of rounds and its slowest test (against vitest's 60 s timeout),
# then the names of the tests that failed and in which rounds.
node - "$runs" "$work" <<'EOF'
const { existsSync, readFileSync } = require('node:fs');
const { relative } = require('node:path');
const [runs, dir] = [Number(process.argv[2]), process.argv[3]];
const files = new Map();
let failed = false;
for (let run = 1; run <= runs; run++) {
  const report = `${dir}/run-${run}.json`;
  if (!existsSync(report)) {
    console.log(`round ${run}: no report (vitest did not finish)`);
    failed = true;
    continue;
  }
  for (const result of JSON.parse(readFileSync(report, 'utf8')).testResults) {
    const file = relative(process.cwd(), result.name);
    const entry = files.get(file) ?? { passed: 0, failures: [], slowest: 0 };
    files.set(file, entry);
    for (const test of result.assertionResults) entry.slowest = Math.max(entry.slowest, test.duration ?? 0);
    if (result.status === 'passed') entry.passed++;
    else {
      failed = true;
      const names = result.assertionResults.filter((test) => test.status === 'failed').map((test) => test.title);
      entry.failures.push(`round ${run}: ${names.join('; ') || result.message.split('\n')[0]}`);
    }
  }
}
for (const [file, { passed, failures, slowest }] of [...files].sort()) {
  console.log(`${passed}/${runs} passed  ${file}  (slowest test ${(slowest / 1000).toFixed(1)} s)`);
  for (const failure of failures) console.log(`    ${failure}`);
}
process.exit(failed ? 1 : 0);
EOF
