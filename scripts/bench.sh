#!/usr/bin/env bash
# End-to-end benchmark: leakmatch against what people do without it, on the same data, with
# the same answers checked. Needs cargo, coreutils and awk (mawk or gawk) only.
#
#   scripts/bench.sh                 # 10M-row dump, all steps (< 10 min on 2 cores)
#   ROWS=1000000 scripts/bench.sh    # smaller
#
# Environment: ROWS (dump rows, default 10000000), BASE_ROWS (default ROWS/4), SEED (default
# 7), FPR (target false-positive rate for leakmatch and the naive baseline, default 1e-6),
# REPS (runs of each leakmatch measurement, median kept; default 3), DIR (data directory,
# default target/bench-data; generated data is reused when present), SKIP_COREUTILS=1.
#
# What runs (see BENCHMARKS.md for results and caveats):
#   leakmatch   build + match (+ size when the command exists), all cores, then --threads 1..nproc
#   stages      benches/src/bin/stages.rs: ingest, hash, insert / look up timed on their own
#   coreutils   awk unquoting and normalization (scripts/unquote.awk, normalize.awk),
#               LC_ALL=C sort -u, comm -12
#   naive       benches/src/bin/naive.rs: csv crate, scalar blake3::keyed_hash, bloomfilter, 1 thread
# The script fails if any tool's counts differ from the generator's truth (Bloom-filter tools
# may exceed the true overlap by their expected false positives, within a 4-sigma margin).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${ROWS:-10000000}
BASE_ROWS=${BASE_ROWS:-$((ROWS / 4))}
SEED=${SEED:-7}
FPR=${FPR:-1e-6}
REPS=${REPS:-3}
DIR=${DIR:-$ROOT/target/bench-data}
NPROC=$(nproc)
export LC_ALL=C

say() { printf '%s\n' "$*" >&2; }
die() { say "bench.sh: FAILED: $*"; exit 1; }

say "== building (release)"
(cd "$ROOT" && cargo build --release --quiet -p leakmatch -p leakmatch-benches --bins)
BIN=$ROOT/target/release
LM=$BIN/leakmatch
TOOL=$BIN/benchtool
NAIVE=$BIN/naive
AWK=$(command -v mawk || command -v gawk || command -v awk)

mkdir -p "$DIR"
DUMP=$DIR/dump-$ROWS-$SEED.csv
BASE=$DIR/base-$ROWS-$SEED.csv
TRUTH=$DUMP.truth.json
if [[ ! -s $TRUTH || ! -s $BASE ]]; then
    say "== generating $ROWS dump rows and $BASE_ROWS base rows (seed $SEED)"
    "$LM" gen -q --rows "$ROWS" --seed "$SEED" --format csv -o "$DUMP" \
        --subscribers "$BASE" --subscriber-rows "$BASE_ROWS"
fi
# A mysqldump rendering (a third of the rows) for the SQL reader's speed and peak memory.
SQL_ROWS=$((ROWS / 3))
SQL_DUMP=$DIR/dump-$SQL_ROWS-$SEED.sql
if [[ ! -s $SQL_DUMP.truth.json ]]; then
    say "== generating $SQL_ROWS SQL dump rows (seed $SEED)"
    "$LM" gen -q --rows "$SQL_ROWS" --seed "$SEED" --format sql -o "$SQL_DUMP"
fi
WORK=$(mktemp -d "$DIR/run.XXXXXX")
KEY=$WORK/bench.key
"$LM" keygen -q -o "$KEY" >/dev/null

truth() { "$TOOL" get "$TRUTH" "$1"; }
T_VM=$(truth dump.valid_msisdn_fields); T_VC=$(truth dump.valid_cnic_fields)
T_VP=$(truth dump.pair_records)
T_DM=$(truth dump.distinct_msisdn); T_DC=$(truth dump.distinct_cnic); T_DP=$(truth dump.distinct_pairs)
T_OM=$(truth overlap.msisdn); T_OC=$(truth overlap.cnic); T_OP=$(truth overlap.pair)
B_VM=$(truth base.valid_msisdn_fields); B_VC=$(truth base.valid_cnic_fields)
DUMP_BYTES=$(wc -c <"$DUMP"); BASE_BYTES=$(wc -c <"$BASE")
DUMP_IDS=$((T_VM + T_VC)); BASE_IDS=$((B_VM + B_VC))

eq() { [[ $2 == "$3" ]] || die "$1: got $2, truth $3"; }
# A Bloom-filter count: truth <= got <= truth + expected FPs + 4 sigma + 1.
near() {
    local ok
    ok=$("$AWK" -v g="$2" -v t="$3" -v e="$4" 'BEGIN { print (g >= t && g <= t + e + 4 * sqrt(e) + 1) ? 1 : 0 }')
    [[ $ok == 1 ]] || die "$1: got $2, truth $3 (expected false positives $4)"
}

RESULTS=$WORK/results.tsv   # tool step threads wall_s rss_kib bytes ids
: >"$RESULTS"
# measure NAME REPS CMD..: runs CMD REPS times (stdout to $WORK/NAME.out), keeps the median wall
# time and the largest peak RSS in $WORK/NAME.t as `wall rss`.
measure() {
    local name=$1 reps=$2; shift 2
    local i
    for ((i = 0; i < reps; i++)); do
        "$TOOL" run "$WORK/$name.t$i" -- "$@" >"$WORK/$name.out" ||
            die "$name exited with status $(cut -d' ' -f3 "$WORK/$name.t$i")"
    done
    cat "$WORK/$name".t[0-9]* | sort -n | "$AWK" -v r="$reps" '
        { w[NR] = $1; if ($2 > m) m = $2 } END { print w[int((r + 1) / 2)], m }' >"$WORK/$name.t"
}
# record TOOL STEP THREADS NAME BYTES IDS
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(cat "$WORK/$4.t" | tr ' ' '\t')" "$5" "$6" >>"$RESULTS"; }

say "== load: $(uptime)"
say "== warming the page cache"
cat "$DUMP" "$BASE" >/dev/null
touch /tmp/leakmatch-bench-running
trap 'rm -f /tmp/leakmatch-bench-running' EXIT

# ---- leakmatch, all cores -------------------------------------------------------------------
say "== leakmatch build/match ($NPROC threads, $REPS runs each)"
measure lm_build "$REPS" "$LM" build -q --json --kinds msisdn,cnic,pair --fpr "$FPR" -k "$KEY" -o "$WORK/dump.lmf" "$DUMP"
J=$WORK/lm_build.out
eq "leakmatch build valid MSISDN fields" "$("$TOOL" get "$J" inputs.0.msisdn.valid)" "$T_VM"
eq "leakmatch build valid CNIC fields" "$("$TOOL" get "$J" inputs.0.cnic.valid)" "$T_VC"
eq "leakmatch build pair records" "$("$TOOL" get "$J" inputs.0.pairs)" "$T_VP"
CAPACITY=$("$TOOL" get "$J" capacity)
FILTER_BYTES=$("$TOOL" get "$J" filter_bytes)
record leakmatch build "$NPROC" lm_build "$DUMP_BYTES" "$DUMP_IDS"

measure lm_build_nommap 1 "$LM" build -q --json --kinds msisdn,cnic,pair --no-mmap --fpr "$FPR" -k "$KEY" -o "$WORK/dump2.lmf" "$DUMP"
record "leakmatch --no-mmap" build "$NPROC" lm_build_nommap "$DUMP_BYTES" "$DUMP_IDS"

measure lm_build_sql 1 "$LM" build -q --json --kinds msisdn,cnic,pair --fpr "$FPR" -k "$KEY" -o "$WORK/sql.lmf" "$SQL_DUMP"
J=$WORK/lm_build_sql.out
S_VM=$("$TOOL" get "$SQL_DUMP.truth.json" dump.valid_msisdn_fields)
S_VC=$("$TOOL" get "$SQL_DUMP.truth.json" dump.valid_cnic_fields)
eq "leakmatch build (SQL) valid MSISDN fields" "$("$TOOL" get "$J" inputs.0.msisdn.valid)" "$S_VM"
eq "leakmatch build (SQL) valid CNIC fields" "$("$TOOL" get "$J" inputs.0.cnic.valid)" "$S_VC"
record "leakmatch SQL dump" build "$NPROC" lm_build_sql "$(wc -c <"$SQL_DUMP")" "$((S_VM + S_VC))"

measure lm_match "$REPS" "$LM" match -q --json -k "$KEY" -f "$WORK/dump.lmf" "$BASE"
J=$WORK/lm_match.out
for k in msisdn:$T_OM cnic:$T_OC pair:$T_OP; do
    near "leakmatch match distinct ${k%%:*}" "$("$TOOL" get "$J" "kinds.${k%%:*}.distinct_matched")" \
        "${k#*:}" "$("$TOOL" get "$J" "kinds.${k%%:*}.expected_false_positives")"
done
record leakmatch match "$NPROC" lm_match "$BASE_BYTES" "$BASE_IDS"

if "$LM" size --help >/dev/null 2>&1; then
    say "== leakmatch size"
    if measure lm_size 1 "$LM" size -q --json "$DUMP"; then
        record leakmatch size "$NPROC" lm_size "$DUMP_BYTES" "$DUMP_IDS"
        J=$WORK/lm_size.out
        for p in total.sizes.distinct total.distinct; do
            if got=$("$TOOL" get "$J" "$p.msisdn" 2>/dev/null); then
                eq "leakmatch size distinct MSISDNs" "$got" "$T_DM"
                eq "leakmatch size distinct CNICs" "$("$TOOL" get "$J" "$p.cnic")" "$T_DC"
                eq "leakmatch size distinct pairs" "$("$TOOL" get "$J" "$p.pairs")" "$T_DP"
                break
            fi
        done
    fi
fi

# ---- thread scaling -------------------------------------------------------------------------
for ((t = 1; t <= NPROC; t++)); do
    say "== leakmatch --threads $t"
    measure "lm_build_t$t" "$REPS" "$LM" build -q --json --kinds msisdn,cnic,pair --threads "$t" --fpr "$FPR" -k "$KEY" -o "$WORK/t.lmf" "$DUMP"
    record scaling build "$t" "lm_build_t$t" "$DUMP_BYTES" "$DUMP_IDS"
    measure "lm_match_t$t" "$REPS" "$LM" match -q --json --threads "$t" -k "$KEY" -f "$WORK/dump.lmf" "$BASE"
    record scaling match "$t" "lm_match_t$t" "$BASE_BYTES" "$BASE_IDS"
done

# ---- stages: the floor each pipeline's stages set -----------------------------------------
say "== stages (ingest, hash, insert / look up on their own, $NPROC threads)"
"$BIN/stages" "$DUMP" "$BASE" >"$WORK/stages.out" || die "stages failed"

# ---- naive Rust -----------------------------------------------------------------------------
say "== naive Rust baseline (1 thread, capacity $CAPACITY, FPR $FPR)"
measure naive_build 1 "$NAIVE" build --capacity "$CAPACITY" --fpr "$FPR" -o "$WORK/naive.bloom" "$DUMP"
J=$WORK/naive_build.out
eq "naive valid MSISDN fields" "$("$TOOL" get "$J" valid_msisdn)" "$T_VM"
eq "naive valid CNIC fields" "$("$TOOL" get "$J" valid_cnic)" "$T_VC"
eq "naive pair records" "$("$TOOL" get "$J" pairs)" "$T_VP"
NAIVE_BYTES=$("$TOOL" get "$J" filter_bytes)
record naive build 1 naive_build "$DUMP_BYTES" "$DUMP_IDS"
measure naive_match 1 "$NAIVE" match -f "$WORK/naive.bloom" "$BASE"
J=$WORK/naive_match.out
B_D=$(truth base.distinct_msisdn)
for k in msisdn:$T_OM cnic:$T_OC pair:$T_OP; do
    near "naive match distinct ${k%%:*}" "$("$TOOL" get "$J" "distinct_matched.${k%%:*}")" "${k#*:}" \
        "$("$AWK" -v n="$B_D" -v f="$FPR" 'BEGIN { print n * f }')"
done
record naive match 1 naive_match "$BASE_BYTES" "$BASE_IDS"

# ---- coreutils --------------------------------------------------------------------------------
if [[ ${SKIP_COREUTILS:-0} != 1 ]]; then
    say "== coreutils baseline (awk + sort -u + comm)"
    C=$WORK/cu
    measure cu_build 1 bash -c "'$AWK' -f '$ROOT/scripts/unquote.awk' '$DUMP' |
        '$AWK' -v MF='$C.dm' -v CF='$C.dc' -v PF='$C.dp' -f '$ROOT/scripts/normalize.awk'"
    read -r vm vc vp <"$WORK/cu_build.out"
    eq "coreutils valid MSISDN fields" "$vm" "$T_VM"
    eq "coreutils valid CNIC fields" "$vc" "$T_VC"
    eq "coreutils pair records" "$vp" "$T_VP"
    eq "coreutils distinct MSISDNs" "$(wc -l <"$C.dm")" "$T_DM"
    eq "coreutils distinct CNICs" "$(wc -l <"$C.dc")" "$T_DC"
    eq "coreutils distinct pairs" "$(wc -l <"$C.dp")" "$T_DP"
    record coreutils build 2 cu_build "$DUMP_BYTES" "$DUMP_IDS"
    measure cu_match 1 bash -c "'$AWK' -f '$ROOT/scripts/unquote.awk' '$BASE' |
        '$AWK' -v MF='$C.bm' -v CF='$C.bc' -v PF='$C.bp' -f '$ROOT/scripts/normalize.awk' >/dev/null &&
        for k in m c p; do comm -12 '$C'.d\$k '$C'.b\$k | wc -l; done | tr '\n' ' '; echo"
    read -r om oc op <"$WORK/cu_match.out"
    eq "coreutils overlap MSISDNs" "$om" "$T_OM"
    eq "coreutils overlap CNICs" "$oc" "$T_OC"
    eq "coreutils overlap pairs" "$op" "$T_OP"
    record coreutils match 2 cu_match "$BASE_BYTES" "$BASE_IDS"
fi
rm -f /tmp/leakmatch-bench-running

# ---- report -----------------------------------------------------------------------------------
say "== all counts agree with the truth ($T_DM distinct MSISDNs, $T_DC CNICs, $T_DP pairs;" \
    "overlap $T_OM / $T_OC / $T_OP)"
{
    echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $NPROC cores," \
        "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
    echo "data: $ROWS dump rows ($((DUMP_BYTES / 1000000)) MB, $DUMP_IDS identifiers)," \
        "$BASE_ROWS base rows ($((BASE_BYTES / 1000000)) MB, $BASE_IDS identifiers), seed $SEED, FPR $FPR"
    echo "filters: leakmatch $((FILTER_BYTES / 1048576)) MiB, naive (bloomfilter) $((NAIVE_BYTES / 1048576)) MiB, capacity $CAPACITY"
    echo
    "$AWK" -F'\t' -v nproc="$NPROC" '
        { tool[NR] = $1; step[NR] = $2; thr[NR] = $3; wall[NR] = ($4 < 0.001 ? 0.001 : $4); rss[NR] = $5
          by[NR] = $6; ids[NR] = $7
          if ($1 == "leakmatch" && !($2 in ref)) ref[$2] = wall[NR]
          if ($1 == "scaling" && $3 == 1) one[$2] = wall[NR] }
        function row(i, ratio) {
            printf "| %-18s | %-5s | %7s | %8.2f | %7.0f | %7.1f | %5.0f MB | %s |\n", tool[i], step[i], thr[i],
                wall[i], by[i] / wall[i] / 1e6, ids[i] / wall[i] / 1e6, rss[i] / 1024, ratio
        }
        END {
            print "| tool               | step  | threads | wall (s) |    MB/s | M ids/s | peak RSS | time vs leakmatch |"
            print "|--------------------|-------|--------:|---------:|--------:|--------:|---------:|------------------:|"
            for (i = 1; i <= NR; i++) if (tool[i] != "scaling")
                row(i, tool[i] == "leakmatch" ? "1.0x" : sprintf("%.1fx", wall[i] / ref[step[i]]))
            print ""
            print "| thread scaling     | step  | threads | wall (s) |    MB/s | M ids/s | peak RSS | speedup vs 1 thread |"
            print "|--------------------|-------|--------:|---------:|--------:|--------:|---------:|--------------------:|"
            for (i = 1; i <= NR; i++) if (tool[i] == "scaling") row(i, sprintf("%.2fx", one[step[i]] / wall[i]))
        }' "$RESULTS"
    echo
    echo "stages on their own (benches/src/bin/stages.rs; their sum is a floor for the command):"
    echo '```'
    cat "$WORK/stages.out"
    echo '```'
} | tee "$WORK/report.md"
say "(raw results: $RESULTS; report: $WORK/report.md)"
