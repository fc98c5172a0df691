#!/usr/bin/env bash
# Pair benchmark (issue 3), run by bench/run.sh or alone: bench/pairs/run.sh
# Prints a table of ratios and appends a dated section to bench/RESULTS.md (BENCH_NO_RESULTS=1: print only).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${BENCH_DIR:-$root/bench/work}"
reps="${BENCH_REPS:-3}"
out="$root/bench/target/pairs"
mkdir -p "$out" "$work"
command -v qemu-img >/dev/null || { apt-get update -q && apt-get install -y -q qemu-utils; } >&2
# package, never install (~/.m2 is shared); the ./splitpoint launcher runs from the target/classes dirs and
# rebuilds only when a source is newer than cli/target/classpath.txt, which is touched for that reason
(cd "$root" && { mvn -o -q -B -DskipTests package -pl engine,cli -am || mvn -q -B -DskipTests package -pl engine,cli -am; } \
  && touch "$root/cli/target/classpath.txt") >&2
deps=$(tr ':' '\n' < "$root/cli/target/classpath.txt" | grep -v -E '/org/splitpoint/|/splitpoint-' | grep -v '^$' | paste -sd: -)
cp="$root/engine/target/classes:$deps"
javac -d "$out" -cp "$cp" "$here/PairBench.java"
raw="$out/raw.txt"
java -Dsun.nio.PageAlignDirectMemory=true -cp "$out:$cp" PairBench "$work" "$reps" | tee "$raw" >&2
v() { awk -v k="$1" '$1 == k { print $2 }' "$raw" | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
est=$(v establish_full_s); rest=$(v restore_full_s); incr=$(v restore_incremental_1pct_s); peer=$(v qemu_img_convert_s)
mib() { awk -v s="$1" 'BEGIN { printf "%.0f", 1024 / s }'; }
pass() { awk -v x="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = (dir == ">=") ? x >= t : x <= t; print ok ? "PASS" : "**MISS**" }'; }
table=$(cat <<T
| measurement | ours | peer | ratio | target | result |
|---|---:|---:|---:|---:|---|
| full establish, 1 GiB raid1 pair | $(mib "$est") MiB/s | $(mib "$peer") MiB/s (qemu-img convert -W -m 8 + sync) | $(ratio "$peer" "$est") | ≥ 1.0 | $(pass "$(ratio "$peer" "$est")" 1.0 ">=") |
| full restore, 1 GiB raid1 pair | $(mib "$rest") MiB/s | $(mib "$peer") MiB/s | $(ratio "$peer" "$rest") | ≥ 1.0 | $(pass "$(ratio "$peer" "$rest")" 1.0 ">=") |
| (info) the peer writing the bytes a RAID 1 BCV writes: two converts at once, 2 GiB written | $(mib "$est") MiB/s (establish) | $(mib "$(v qemu_img_convert_twice_s)") MiB/s per copy | $(ratio "$(v qemu_img_convert_twice_s)" "$est") | (info) | |
| incremental restore, 1% tracks ($(v incremental_tracks) tracks) | ${incr} s | full restore ${rest} s | $(ratio "$incr" "$rest") | ≤ 0.03 | $(pass "$(ratio "$incr" "$rest")" 0.03 "<=") |
| split, 1 GiB vs 64 GiB sparse | $(v split_1g_ms) ms | $(v split_64g_ms) ms | $(ratio "$(v split_64g_ms)" "$(v split_1g_ms)") | ≈ 1 | $(awk -v a="$(v split_1g_ms)" -v b="$(v split_64g_ms)" 'BEGIN { r = b / a; print (r < 2 && r > 0.5) ? "PASS" : "**MISS**" }') |
| read p99 during restore, page cache warm on both: unrestored vs restored | $(v warm_latency_unrestored_p99_us) µs (p50 $(v warm_latency_unrestored_p50_us)) | $(v warm_latency_restored_p99_us) µs (p50 $(v warm_latency_restored_p50_us)) | $(ratio "$(v warm_latency_unrestored_p99_us)" "$(v warm_latency_restored_p99_us)") | ≤ 3 | $(pass "$(ratio "$(v warm_latency_unrestored_p99_us)" "$(v warm_latency_restored_p99_us)")" 3 "<=") |
| same, caches dropped (unrestored reads go to the BCV's disk; restored ones hit the copier's fresh pages) | $(v cold_latency_unrestored_p99_us) µs (p50 $(v cold_latency_unrestored_p50_us)) | $(v cold_latency_restored_p99_us) µs (p50 $(v cold_latency_restored_p50_us)) | $(ratio "$(v cold_latency_unrestored_p99_us)" "$(v cold_latency_restored_p99_us)") | (info) | |
T
)
echo "$table"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    echo
    echo "## $(date -u +%F) — pairs (issue 3)"
    echo
    echo "Machine: $(nproc) cores, $(java -version 2>&1 | head -1), kernel $(uname -r). Medians of $reps runs; page cache dropped before every copy."
    echo "First read after the restore started: $(v warm_latency_first_read_us) µs warm, $(v cold_latency_first_read_us) µs cold. Latency samples (warm): $(v warm_latency_restored_samples) restored, $(v warm_latency_unrestored_samples) unrestored (random 4 KiB reads for up to 5 s, restore throttled to 100 MB/s)."
    echo
    echo "$table"
  } >> "$root/bench/RESULTS.md"
fi
rm -rf "$work/pair-pool" "$work/split-pool" "$work/qemu-copy.img" "$work/qemu-copy-2.img"
