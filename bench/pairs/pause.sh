#!/usr/bin/env bash
# How long administrative instants stop host I/O (issue 14, item 5): run by `bench/run.sh pause` or
# alone: bench/pairs/pause.sh
#
# A raid1 pair (STD and BCV 1 GiB each, 2 drives per side) is established and served by
# `splitpoint serve` on a Unix socket; fio writes the STD through its nbd engine (4 KiB random
# writes, iodepth 16, with a flush (fsync) every 256 writes, until the operations are done) and logs every
# completion. Meanwhile, through the CLI (forwarded to the holder over the control socket): a split,
# a protected restore's start, and an establish's start, BENCH_PAUSE_REPS times each. For each
# operation the "pause" is the longest gap between two consecutive fio completions from the moment
# the command was issued until it returned (with iodepth 16, a gap is a time in which no write at
# all completed); the baseline is the same gap statistic over the seconds with no operation.
# Target: p99 of the pauses at a split <= 50 ms.
#
# Environment: BENCH_DIR (scratch parent, default bench/work/), BENCH_PAUSE_REPS (default 5),
# BENCH_NO_RESULTS=1 (print only; otherwise a dated section is appended to bench/RESULTS.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${BENCH_DIR:-$root/bench/work}/pause"
reps="${BENCH_PAUSE_REPS:-5}"
out="$root/bench/target/pause"
say() { echo "bench pause: $*" >&2; }
command -v fio >/dev/null || { apt-get update -q && apt-get install -y -q fio; } >&2
# package, never install (~/.m2 is shared); the ./splitpoint launcher runs from the target/classes dirs and
# rebuilds only when a source is newer than cli/target/classpath.txt, which is touched for that reason
(cd "$root" && { mvn -o -q -B -DskipTests package -pl engine,cli -am || mvn -q -B -DskipTests package -pl engine,cli -am; } \
  && touch "$root/cli/target/classpath.txt") >&2
sp="$root/splitpoint"
rm -rf "$work" "$out"; mkdir -p "$work" "$out"
pool="$work/pool"
"$sp" pool create "$pool" --drives 4 --drive-size 1G >/dev/null
"$sp" volume create "$pool" std --layout raid1 --drives d1,d2 >/dev/null
"$sp" volume create "$pool" bcv --layout raid1 --drives d3,d4 >/dev/null
"$sp" pair create "$pool" p1 --std std --bcv bcv >/dev/null
"$sp" pair establish "$pool" p1 >/dev/null 2>&1
sock="$work/nbd.sock"
"$sp" serve "$pool" --socket "$sock" >"$out/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true; wait $serve 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { say "serve did not start"; cat "$out/serve.log" >&2; exit 1; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s%3N)
fio --name=host --ioengine=nbd --uri="nbd+unix:///std?socket=$sock" --rw=randwrite --bs=4k --iodepth=16 \
    --fsync=256 --time_based --runtime=3600 --size=1g --write_lat_log="$out/lat" --log_avg_msec=0 \
    --output="$out/fio.txt" >/dev/null 2>&1 &
fio=$!
ops="$out/ops.txt"; : > "$ops"
op() { # name, command...: records issue and return times (ms since fio's start)
  local name=$1; shift
  local a b; a=$(( $(date +%s%3N) - t0 )); "$@" >/dev/null 2>&1 || { say "$name failed: $*"; }; b=$(( $(date +%s%3N) - t0 ))
  echo "$name $a $b" >> "$ops"
}
until_state() { # waits (up to 60 s) until the pair is in state $1
  for _ in $(seq 600); do
    "$sp" pair query "$pool" p1 --json 2>/dev/null | grep -q "\"state\" *: *\"$1\"" && return 0; sleep 0.1
  done; say "pair p1 did not reach $1"; }
sleep 4
for i in $(seq "$reps"); do
  op split "$sp" pair split "$pool" p1; sleep 2.5
  op restore-start "$sp" pair restore "$pool" p1 --protect --no-wait --yes; sleep 2.5
  until_state Split
  op establish-start "$sp" pair establish "$pool" p1 --no-wait; sleep 2.5
  until_state Synchronized
done
sleep 3
kill -INT $fio 2>/dev/null || true # fio stops its job cleanly on SIGINT and writes its logs
wait $fio || true
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
lat=$(ls "$out"/lat_clat*.log | head -1)
table=$(python3 - "$lat" "$ops" <<'PY'
import sys
times = sorted(int(l.split(',')[0]) for l in open(sys.argv[1]) if l.strip())
ops = [l.split() for l in open(sys.argv[2]) if l.strip()]
def gaps(a, b):
    # the longest time in [a, b] with no completion: the window's ends count as edges, so a window
    # in which nothing completed at all is one gap as long as the window
    inside = [t for t in times if a <= t <= b]
    edges = [a] + inside + [b]
    return max(y - x for x, y in zip(edges, edges[1:]))
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float('nan')
busy = [(int(a) - 200, int(b) + 200) for _, a, b in ops]
base = []
for s in range(2000, times[-1] - 1000, 1000):
    if not any(a < s + 1000 and b > s for a, b in busy): base.append(gaps(s, s + 1000))
print("| instant | n | longest gap p50 | p99 | max | command time p50 | target | result |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
print(f"| none (1 s windows) | {len(base)} | {pct(base,50)} ms | {pct(base,99)} ms | {max(base) if base else 'n/a'} ms | | | |")
for name in ("split", "restore-start", "establish-start"):
    g = [gaps(int(a), int(b)) for n, a, b in ops if n == name and int(b) < times[-1]]
    d = [int(b) - int(a) for n, a, b in ops if n == name and int(b) < times[-1]]
    tgt = "≤ 50 ms" if name == "split" else ""
    res = ("PASS" if pct(g, 99) <= 50 else "**MISS**") if name == "split" else ""
    print(f"| {name} | {len(g)} | {pct(g,50)} ms | {pct(g,99)} ms | {max(g)} ms | {pct(d,50)} ms | {tgt} | {res} |")
PY
)
echo "$table"
writes=$(grep -o 'IOPS=[^,]*' "$out/fio.txt" | head -1)
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    echo
    echo "## $(date -u +%F) — pauses at administrative instants under fio (issue 14)"
    echo
    echo "Machine: $(nproc) cores, $(java -version 2>&1 | head -1), kernel $(uname -r); load average before $load_before, after $load_after; engine $(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- engine cli || echo ' + uncommitted changes')."
    echo "fio $(fio --version) through \`splitpoint serve\` (nbd engine, Unix socket): 4 KiB random writes to the STD, iodepth 16, flush every 256; $writes; $reps of each instant, issued through the CLI (forwarded to the holder). Gap = longest time with no fio completion while the command ran."
    echo
    echo "$table"
  } >> "$root/bench/RESULTS.md"
fi
