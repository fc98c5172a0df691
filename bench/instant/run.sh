#!/usr/bin/env bash
# Instant restore benchmark (issue 11, "Benchmark"): run by bench/run.sh (all suites, or
# `bench/run.sh instant`) or alone: bench/instant/run.sh [--profile]
#
# A Java harness (bench/instant/InstantBench.java, compiled against engine/target/classes) drives
# the engine's backup store and instant restore directly (pool.backups().backup/restore,
# pool.device, restoreOf). Raid1 volumes over 2 sparse drives, 64 KiB tracks; every restore goes
# into a new pool of blank drives; the backup store is a directory on the same file system.
#
#   1. first read   from calling restore() to the first correct 4 KiB read of a track still owed,
#                   1 GiB vs 16 GiB volume (16 GiB: random data in every 4th MiB, 4 GiB), cold and
#                   warm; target: equal within noise (ratio 16/1 within 0.67..1.5)
#   2. latency      random 4 KiB reads while the bulk copy runs throttled (64 MiB/s): p50/p99 of not
#                   yet current vs current tracks, page cache warm and caches dropped; target p99 <= 3x
#   3. bulk copy    restore of 1 GiB, no host I/O, restore() to DONE, vs `qemu-img convert -W -m 8
#                   -f raw -O raw` of a raw file with the same bytes + sync; ABBA; target >= 1.0x
#   4. backup       incremental backup after 4 KiB writes into 1% of the tracks vs a full backup of
#                   the same 1 GiB volume, wall time; ABBA (full, incr, incr, full); target <= 3%
#
# Caches are dropped (sync; echo 3 > /proc/sys/vm/drop_caches) where the line says so; medians of
# BENCH_REPS repetitions (2 samples per side each where there are two sides). Prints the table and
# appends a dated section (machine, JDK, load average before/after, commit, table, console output)
# to bench/RESULTS.md. About 5 minutes on 2 cores; needs about 14 GiB of scratch space, freed at
# the end.
#
#   --profile   no table: one pass of each path through a timing file layer with a JFR recording
#               per phase (bench/target/instant/jfr/*.jfr), then a summary of each recording
#               (bench/instant/JfrTop.java); appends nothing
#
# Environment:
#   BENCH_DIR                 scratch parent directory (default bench/work/, git-ignored); uses BENCH_DIR/instant/
#   BENCH_REPS                repetitions (default 3)
#   BENCH_NO_RESULTS=1        print only; do not append to bench/RESULTS.md
#   BENCH_SETTLE_MS           idle time after the sync before each timed copy (default 500)
#   BENCH_JAVA_OPTS           extra JVM options for the harness
#   BENCH_INSTANT_BIG_GIB     size of the big volume of line 1 (default 16)
#   BENCH_INSTANT_FILL_EVERY  the big volume holds data in every Nth MiB (default 4)
#   BENCH_INSTANT_THROTTLE_MIB  bulk copy throttle during the latency window (default 64)
#   BENCH_INSTANT_WINDOW_S    length of the latency window (default 5)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
parent="${BENCH_DIR:-$root/bench/work}"
scratch="$parent/instant"
out="$root/bench/target/instant"
log="$out/last-run.txt"
table_file="$out/table.md"
profile=
for arg in "$@"; do
  case "$arg" in
    --profile) profile=1 ;;
    *) echo "bench instant: unknown argument '$arg' (use --profile)" >&2; exit 2 ;;
  esac
done

say() { echo "bench instant: $*" >&2; }

# ---- peers and build ------------------------------------------------------------------------------
if ! command -v qemu-img >/dev/null; then
  say "installing qemu-utils"
  apt-get install -y -q qemu-utils >&2 || { apt-get update -q >&2 && apt-get install -y -q qemu-utils >&2; }
fi
# package, not install: the harness needs engine/target/classes and cli/target/classpath.txt only,
# and ~/.m2 is shared with other checkouts
say "building engine and cli (mvn -q -B -DskipTests package -pl engine,cli -am)"
(cd "$root" && { mvn -o -q -B -DskipTests package -pl engine,cli -am || mvn -q -B -DskipTests package -pl engine,cli -am; }) >&2 \
  || { say "the build failed"; exit 1; }
deps=$(tr ':' '\n' < "$root/cli/target/classpath.txt" | grep -v -E '/org/splitpoint/|/splitpoint-' | grep -v '^$' | paste -sd: -)
cp="$root/engine/target/classes${deps:+:$deps}"
mkdir -p "$out/classes"
javac -d "$out/classes" -cp "$cp" "$here/InstantBench.java" "$here/FileTiming.java" "$here/JfrTop.java"

# ---- run ------------------------------------------------------------------------------------------
mkdir -p "$scratch"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

if [ -n "$profile" ]; then
  rm -rf "$out/jfr"
  # shellcheck disable=SC2086
  java -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints ${BENCH_JAVA_OPTS:-} -cp "$out/classes:$cp" \
    InstantBench "$scratch" - profile
  mv "$scratch/jfr" "$out/jfr"
  for f in "$out"/jfr/*.jfr; do
    echo
    java -cp "$out/classes" JfrTop "$f"
  done
  say "recordings kept in $out/jfr (jfr summary FILE; jfr print --events jdk.ExecutionSample FILE)"
  exit 0
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%F %T')
# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:-} -cp "$out/classes:$cp" InstantBench "$scratch" "$table_file" | tee "$log"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- record ---------------------------------------------------------------------------------------
if [ "${BENCH_NO_RESULTS:-}" != "1" ]; then
  results="$root/bench/RESULTS.md"
  fs=$(findmnt -n -o FSTYPE,SOURCE -T "$scratch" 2>/dev/null | tr -s ' ' || echo "?")
  {
    printf '\n## %s — instant restore and backups (issue 11)\n\n' "$(date -u +%F)"
    printf -- '- machine: %s CPUs (%s), %s RAM; kernel %s\n' "$(nproc)" \
      "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
      "$(free -h | awk '/^Mem:/{print $2}')" "$(uname -r)"
    printf -- '- java: %s\n' "$(java -version 2>&1 | head -1)"
    printf -- '- run: %s to %s UTC; load average (1/5/15 min) before: %s, after: %s (2 CPUs: above 2, other work competes and skews results)\n' \
      "$started" "$(date -u '+%T')" "$load_before" "$load_after"
    printf -- '- peer: %s\n' "$(qemu-img --version | head -1)"
    printf -- '- scratch: %s (%s)\n' "$scratch" "$fs"
    printf -- '- engine: commit %s (engine sources last changed in %s)%s\n' "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "$(git -C "$root" log -1 --format=%h -- engine 2>/dev/null || echo '?')" \
      "$([ -n "$(git -C "$root" status --porcelain -- engine 2>/dev/null)" ] && echo ' + uncommitted engine changes' || true)"
    printf -- '- where the time goes: `bench/run.sh instant --profile`; findings in bench/notes/README.md\n\n'
    cat "$table_file"
    printf '\n<details><summary>console output</summary>\n\n```\n'
    cat "$log"
    printf '```\n</details>\n'
  } >> "$results"
  say "appended to $results"
fi
