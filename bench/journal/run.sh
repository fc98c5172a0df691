#!/usr/bin/env bash
# Staged backup journal benchmark (issue 12, "Benchmark"): run by bench/run.sh (all suites, or
# `bench/run.sh journal`) or alone: bench/journal/run.sh [--profile]
#
# A Java harness (bench/journal/JournalBench.java, compiled against engine/target/classes) drives
# the engine directly: two pools with the same raid5 volume (1 GiB over 4 drives, 64 KiB strips and
# tracks), one with the journal enabled on two more drives (pool.journals().enable, a store
# directory beside the pools), written through pool.device("v"). Same run, two regimes (page cache
# warm; caches dropped before every sample), medians of BENCH_REPS repetitions (one sample per side
# each, the order alternating between repetitions):
#
#   1. write     the same workload with the journal on and off: sequential 1 MiB writes over the
#                whole volume, and 256 MiB of 64 KiB writes at random aligned offsets; flush() every
#                64 MiB and at the end; target on/off >= 0.7
#   2. ship      pool.journals().ship("v") to DONE after each journal-on sample: a journal of 1 GiB
#                in 1 MiB entries vs `qemu-img convert -W -m 8 -f raw -O raw` of a 1 GiB raw file
#                + sync (no target in the issue); the random sample's ship shown for information
#   3. rebuild   64 MiB of random writes journaled after a full backup (the journal's base), two
#                members lost (d1 failed, d2's image deleted, reopened: FAILED), then
#                rebuildFromBackup to DONE vs `qemu-img convert -W -m 8` of a raw file of the
#                volume's size + sync; target >= 0.9
#
# Prints the table and appends a dated section (machine, JDK, load average before/after and per
# regime, commit, table, console output) to bench/RESULTS.md. About 8 minutes on 2 cores with the
# defaults; needs about 12 GiB of scratch space, freed at the end.
#
#   --profile   no table: one pass of each path through a timing file layer with a JFR recording
#               per phase (bench/target/journal/jfr/*.jfr), then a summary of each recording
#               (bench/instant/JfrTop.java); appends nothing
#
# Environment:
#   BENCH_DIR                 scratch parent directory (default bench/work/, git-ignored); uses BENCH_DIR/journal/
#   BENCH_REPS                repetitions per regime (default 3; 2 samples per side each)
#   BENCH_SIZE_MIB            volume size, the sequential write, the ship's entries, the rebuild (default 1024)
#   BENCH_NO_RESULTS=1        print only; do not append to bench/RESULTS.md
#   BENCH_SETTLE_MS           idle time after the sync before each timed sample (default 500)
#   BENCH_JAVA_OPTS           extra JVM options for the harness
#   BENCH_JOURNAL_RANDOM_MIB  bytes of random 64 KiB writes per sample (default 256)
#   BENCH_JOURNAL_FLUSH_MIB   flush() every N MiB written (default 64)
#   BENCH_JOURNAL_REBUILD_MIB journaled writes before each rebuild (default 64)
#   BENCH_JOURNAL_DRIVES      raid5 members (default 4)
#   BENCH_JOURNAL_REGIMES     "warm,cold" (default), or one of them
#   BENCH_JOURNAL_PHASES      --profile: phases to run: sha,write,ship,rebuild (default all)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
parent="${BENCH_DIR:-$root/bench/work}"
scratch="$parent/journal"
out="$root/bench/target/journal"
log="$out/last-run.txt"
table_file="$out/table.md"
profile=
for arg in "$@"; do
  case "$arg" in
    --profile) profile=1 ;;
    *) echo "bench journal: unknown argument '$arg' (use --profile)" >&2; exit 2 ;;
  esac
done

say() { echo "bench journal: $*" >&2; }

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
javac -d "$out/classes" -cp "$cp" "$here/JournalBench.java" "$root/bench/instant/FileTiming.java" "$root/bench/instant/JfrTop.java"

# ---- run ------------------------------------------------------------------------------------------
mkdir -p "$scratch"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

if [ -n "$profile" ]; then
  rm -rf "$out/jfr"
  say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086
  java -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints ${BENCH_JAVA_OPTS:-} -cp "$out/classes:$cp" \
    JournalBench "$scratch" - profile
  mv "$scratch/jfr" "$out/jfr"
  for f in "$out"/jfr/*.jfr; do
    echo
    java -cp "$out/classes" JfrTop "$f"
  done
  say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  say "recordings kept in $out/jfr (jfr summary FILE; jfr print --events jdk.FileForce FILE)"
  exit 0
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
uptime_before=$(uptime)
started=$(date -u '+%F %T')
# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:-} -cp "$out/classes:$cp" JournalBench "$scratch" "$table_file" | tee "$log"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- record ---------------------------------------------------------------------------------------
if [ "${BENCH_NO_RESULTS:-}" != "1" ]; then
  results="$root/bench/RESULTS.md"
  fs=$(findmnt -n -o FSTYPE,SOURCE -T "$scratch" 2>/dev/null | tr -s ' ' || echo "?")
  {
    printf '\n## %s — staged backup journal (issue 12)\n\n' "$(date -u +%F)"
    printf -- '- machine: %s CPUs (%s), %s RAM; kernel %s\n' "$(nproc)" \
      "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
      "$(free -h | awk '/^Mem:/{print $2}')" "$(uname -r)"
    printf -- '- java: %s\n' "$(java -version 2>&1 | head -1)"
    printf -- '- run: %s to %s UTC; load average (1/5/15 min) before: %s, after: %s (2 CPUs: above 2, other work competes and skews results); `uptime` before: %s\n' \
      "$started" "$(date -u '+%T')" "$load_before" "$load_after" "$(echo "$uptime_before" | sed 's/^ *//')"
    printf -- '- peer: %s\n' "$(qemu-img --version | head -1)"
    printf -- '- scratch: %s (%s)\n' "$scratch" "$fs"
    printf -- '- engine: commit %s (engine sources last changed in %s)%s\n' "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "$(git -C "$root" log -1 --format=%h -- engine 2>/dev/null || echo '?')" \
      "$([ -n "$(git -C "$root" status --porcelain -- engine 2>/dev/null)" ] && echo ' + uncommitted engine changes' || true)"
    printf -- '- where the time goes: `bench/run.sh journal --profile`; findings in bench/notes/README.md ("Staged backup journal")\n\n'
    cat "$table_file"
    printf '\n<details><summary>console output</summary>\n\n```\n'
    cat "$log"
    printf '```\n</details>\n'
  } >> "$results"
  say "appended to $results"
fi
