#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ for a given time each and summarises executions and crashes.
#
#   scripts/fuzz.sh [-j JOBS] [SECONDS] [TARGET...]
#
# Slow and hungry inputs are found like crashes: an input that takes longer than
# FUZZ_TIMEOUT seconds (default 10; every input is at most a few KiB, so linear readers take
# milliseconds even under ASan), a process over FUZZ_RSS_MB of RSS (default 2048), or one
# allocation over FUZZ_MALLOC_MB (default 512: the readers allocate in proportion to their
# input, never to a count or length read from it) stops the run and saves the input in
# fuzz/artifacts/TARGET (timeout-*, oom-*, crash-*).
#
# SECONDS defaults to 600 per target; TARGET defaults to every target. JOBS (default 1) targets
# run at once. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# Corpora grow in fuzz/corpus/TARGET (gitignored), seeded from fuzz/seeds/TARGET; crashes land in
# fuzz/artifacts/TARGET; logs in fuzz/target/logs/TARGET.log. While /tmp/leakmatch-bench-running
# exists (benchmarks are being measured on this machine) each target waits before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=1
if [[ "${1:-}" == "-j" ]]; then
  jobs=$2
  shift 2
fi
secs=${1:-600}
timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
malloc_mb=${FUZZ_MALLOC_MB:-512}
shift || true
all=(normalize_msisdn normalize_cnic csv_chunks sql_tuples jsonl_fields filter_load)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz.sh: no nightly toolchain (rustup toolchain install nightly); nothing run" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-fuzz missing (cargo install cargo-fuzz --locked); nothing run" >&2
  exit 1
fi

mkdir -p fuzz/target/logs
cargo +nightly fuzz build -O >/dev/null

run_one() {
  local t=$1 log=fuzz/target/logs/$1.log extra=()
  while [[ -e /tmp/leakmatch-bench-running ]]; do sleep 30; done
  mkdir -p "fuzz/corpus/$t"
  # A filter file is at least 4192 bytes: give the loader room to grow past one block.
  [[ $t == filter_load ]] && extra=(-max_len=12288)
  set +e
  cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    -malloc_limit_mb="$malloc_mb" -print_final_stats=1 "${extra[@]}" >"$log" 2>&1
  local rc=$?
  set -e
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  local cov
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  if [[ $rc -eq 0 ]]; then
    echo "$t: ${runs:-?} executions in ${secs}s, coverage ${cov:-?} edges, no crash, timeout or OOM"
  else
    local why=crash
    grep -q 'ERROR: libFuzzer: timeout' "$log" && why="timeout (over ${timeout}s)"
    grep -q 'ERROR: libFuzzer: out-of-memory' "$log" && why="out of memory"
    echo "$t: FAILED ($why, exit $rc) after ${runs:-?} executions: see $log and fuzz/artifacts/$t/"
  fi
  return $rc
}

status=0
pids=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  if [[ ${#pids[@]} -ge $jobs ]]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
