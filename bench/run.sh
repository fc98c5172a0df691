#!/usr/bin/env bash
# Splitpoint benchmarks: the one command. See bench/README.md.
#
#   bench/run.sh             all seven suites, one after the other, each appending its dated
#                            section to bench/RESULTS.md:
#                              core     raid1/raid5 write, read, rebuild vs fio and qemu-img (below)
#                              pairs    establish/restore/split/latency (bench/pairs/run.sh)
#                              nbd      nbdcopy through `splitpoint serve` vs nbdkit (bench/nbd/run.sh), raid1 then raid5
#                              instant  backup store and instant restore (bench/instant/run.sh):
#                                       time to the first read after restore() on 1 vs 16 GiB,
#                                       read latency of not-yet-current vs current tracks during the
#                                       bulk copy (warm, cold), bulk copy vs `qemu-img convert -W -m 8`,
#                                       1% incremental vs full backup
#                              journal  staged backup journal (bench/journal/run.sh): raid5 write
#                                       throughput with the journal on vs off, `volume journal ship`
#                                       vs `qemu-img convert -W -m 8` of the same bytes, rebuild of
#                                       1 GiB from backup + journal vs the same (page cache warm, cold)
#                              drills   drive service windows (bench/drills/run.sh): on a 1 GiB raid5
#                                       volume over 4 drives, the resync after a window in which 1% /
#                                       10% of the tracks were written, per log mode (pointers, data,
#                                       repository), as a fraction of a full rebuild of the drive
#                                       (targets <= 3% / <= 15%); the same stale drive image brought up
#                                       to date by `rsync --inplace --no-whole-file`; host writes during
#                                       the window vs OPTIMAL (page cache warm, cold)
#                              snapshots  point-in-time snapshots (bench/snapshots/run.sh):
#                                       `snapshot create` on a 1 GiB vs a 64 GiB volume (also as the
#                                       first since the pool opened); first writes and rewrites with a
#                                       snapshot vs none (raid1 1 GiB, 256 MiB sequential and random
#                                       64 KiB..1 MiB from 4 threads; targets >= 0.5x / >= 0.9x); restore
#                                       after 1% of the tracks changed as a fraction of a full copy
#                                       (target <= 3%); restore() to the first correct read of a changed
#                                       track; create and restore vs `qemu-img snapshot -c` / `-a` on a
#                                       qcow2 of the same size and changes (page cache warm, cold)
#                              pause    how long a split, a restore's start and an establish's start
#                                       stop host writes: fio through `splitpoint serve` (bench/pairs/pause.sh;
#                                       target: split p99 <= 50 ms)
#   bench/run.sh core|pairs|nbd|instant|journal|drills|snapshots|pause   just that suite
#   bench/run.sh --profile   diagnostics for the core: one pass per layout through a timing file
#                            layer, printing where the engine's time goes per phase (appends nothing)
#   bench/run.sh instant --profile   the same for backups and instant restore, with a JFR
#                            recording per phase and its summary (appends nothing)
#   bench/run.sh journal --profile   the same for journaled writes, ships and rebuilds (appends nothing)
#   bench/run.sh drills --profile    the same for service windows, resyncs and the full rebuild (appends nothing)
#   bench/run.sh snapshots --profile the same for snapshot creates, first writes, rewrites, restores and
#                            the first read after a restore, with each first-write phase's file time
#                            per MiB by part of the path (appends nothing)
#   bench/run.sh nbd --profile        where `splitpoint serve` spends its time under an nbdcopy cold read and
#                            overwrite: JFR per phase, server CPU per GiB (bench/nbd/profile.sh; appends nothing)
#
# The core suite builds the project if needed, compiles the harness (bench/src/*.java) into
# bench/target/, installs fio and qemu-utils with apt-get when missing, runs on 1 GiB volumes:
#   sequential write and read of raid1 (2 drives) and raid5 (4 drives) vs fio on a plain file,
#   rebuild of one member vs `qemu-img convert -W -m 8` of one member image,
# prints a table with ratios (ours / peer, same run) and appends a dated section to bench/RESULTS.md.
#
# Environment (all suites read BENCH_DIR, BENCH_REPS, BENCH_SIZE_MIB where it applies, BENCH_NO_RESULTS):
#   BENCH_DIR       scratch directory on the file system to measure (default bench/work/, git-ignored);
#                   big files are deleted at the end
#   BENCH_REPS      repetitions per measurement, median reported (default 3)
#   BENCH_SIZE_MIB  volume size in MiB (default 1024; core, nbd, journal, drills and snapshots)
#   BENCH_ONLY      core: "raid1", "raid5" or "raid1,raid5" (default)
#   BENCH_NO_RESULTS=1  print only; do not append to bench/RESULTS.md
#   BENCH_JAVA_OPTS extra JVM options for the core harness
#   BENCH_SETTLE_MS idle time after the sync before each timed write or copy (default 500; core and nbd)
#   BENCH_ENGINE_CLASSES  core: measure these compiled engine classes instead of building the checkout
#                   (A/B runs of a patched copy); still needs cli/target/classpath.txt for the jars
#   BENCH_NBDCOPY_OPTS  nbd: extra nbdcopy options for both sides, e.g. "-C 1 -R 16"
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# ---- which suites --------------------------------------------------------------------------------
suite=all
profile=
for arg in "$@"; do
  case "$arg" in
    all|core|pairs|nbd|instant|journal|drills|snapshots|pause) suite=$arg ;;
    --profile) profile=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$arg' (use: all, core, pairs, nbd, instant, journal, drills, snapshots, pause, --profile, --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$profile" ] && [ "$suite" = pairs ]; then
  echo "bench: --profile is for the core, nbd, instant, journal, drills and snapshots suites only" >&2; exit 2
fi
[ -n "$profile" ] && [ "$suite" = nbd ] && exec bash "$bench/nbd/profile.sh"
[ -n "$profile" ] && [ "$suite" = all ] && suite=core
case "$suite" in
  pairs) exec bash "$bench/pairs/run.sh" ;;
  nbd) # raid1 then raid5, or just the layout BENCH_NBD_LAYOUT names
    if [ -n "${BENCH_NBD_LAYOUT:-}" ]; then exec bash "$bench/nbd/run.sh"; fi
    bash "$bench/nbd/run.sh"; BENCH_NBD_LAYOUT=raid5 exec bash "$bench/nbd/run.sh" ;;
  instant) exec bash "$bench/instant/run.sh" ${profile:+--profile} ;;
  journal) exec bash "$bench/journal/run.sh" ${profile:+--profile} ;;
  drills) exec bash "$bench/drills/run.sh" ${profile:+--profile} ;;
  snapshots) exec bash "$bench/snapshots/run.sh" ${profile:+--profile} ;;
  pause) exec bash "$bench/pairs/pause.sh" ;;
  all)
    # each suite in its own process, so one failing does not stop the others
    failed=()
    for s in core pairs nbd instant journal drills snapshots pause; do
      echo "bench: ==== suite $s ($(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)) ====" >&2
      case "$s" in
        core) bash "${BASH_SOURCE[0]}" core || failed+=("$s") ;;
        pause) bash "$bench/pairs/pause.sh" || failed+=("$s") ;;
        nbd) { bash "$bench/nbd/run.sh" && BENCH_NBD_LAYOUT=raid5 bash "$bench/nbd/run.sh"; } || failed+=("$s") ;;
        *) bash "$bench/$s/run.sh" || failed+=("$s") ;;
      esac
    done
    if [ ${#failed[@]} -gt 0 ]; then
      echo "bench: suites that failed: ${failed[*]}" >&2
      exit 1
    fi
    echo "bench: all seven suites ran" >&2
    exit 0 ;;
esac

# ---- core suite from here on ------------------------------------------------------------------------

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
work="${BENCH_DIR:-$bench/work}"
target="$bench/target"
stamp="$target/.build-stamp"

say() { echo "bench: $*" >&2; }

# ---- build the engine (and the CLI, whose classpath.txt lists the third-party jars) ----------
needs_build() {
  [ -f "$stamp" ] && [ -f "$root/cli/target/classpath.txt" ] || return 0
  [ -n "$(find "$root/pom.xml" "$root"/engine/pom.xml "$root"/engine/src/main "$root"/cli/pom.xml \
      "$root"/cli/src/main -newer "$stamp" -type f -print -quit 2>/dev/null)" ]
}
engine_classes="${BENCH_ENGINE_CLASSES:-$root/engine/target/classes}"
if [ -n "${BENCH_ENGINE_CLASSES:-}" ]; then
  say "using engine classes from $BENCH_ENGINE_CLASSES (no build)"
elif needs_build; then
  # package, not install: the harness needs engine/target/classes and cli/target/classpath.txt,
  # and ~/.m2 is shared with other checkouts of the project
  say "building the project (mvn -q -B -DskipTests package)..."
  if ! (cd "$root" && mvn -q -B -DskipTests package) >&2; then
    # the desktop app is not needed here; build just the engine and the CLI if the rest fails
    say "full build failed; building engine and cli only"
    (cd "$root" && mvn -q -B -DskipTests package -pl engine,cli -am) >&2 || { say "the build failed"; exit 1; }
  fi
  mkdir -p "$target" && touch "$stamp"
fi

# ---- compile the harness -----------------------------------------------------------------------
deps=$(tr ':' '\n' < "$root/cli/target/classpath.txt" \
  | grep -v -E '/org/splitpoint/|/splitpoint-(engine|cli|app)-[^/]*\.jar$' | grep -v -E '/picocli/' | grep -v '^$' | paste -sd: -)
cp="$engine_classes${deps:+:$deps}"
mkdir -p "$target/classes"
if [ -z "$(ls "$target/classes"/Bench.class 2>/dev/null)" ] \
   || [ -n "$(find "$bench/src" "$bench/common" "$engine_classes" -newer "$target/classes/Bench.class" -type f -print -quit)" ]; then
  say "compiling the harness"
  javac -d "$target/classes" -cp "$cp" "$bench"/src/*.java "$bench/common/Harness.java"
fi

# ---- peers ----------------------------------------------------------------------------------------
missing=()
command -v fio >/dev/null || missing+=(fio)
command -v qemu-img >/dev/null || missing+=(qemu-utils)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  if ! apt-get install -y -q "${missing[@]}" >&2; then
    apt-get update -q >&2
    apt-get install -y -q "${missing[@]}" >&2
  fi
fi

# ---- run -------------------------------------------------------------------------------------------
mkdir -p "$work"
section="$target/last-run.md"
log="$target/last-run.txt"
trap 'rm -rf "$work"/pool-raid* "$work"/plain.img "$work"/copy.img' EXIT
if [ -n "$profile" ]; then
  # shellcheck disable=SC2086
  java ${BENCH_JAVA_OPTS:-} -cp "$target/classes:$cp" Profile "$work"
  exit 0
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# the engine runs as in the holders of a pool (serve, the app: see the launcher): with native
# fallocate and read advice; BENCH_JAVA_OPTS=-Dsplitpoint.readAdvice=off measures without the advice
# shellcheck disable=SC2086
java --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -Dsun.nio.PageAlignDirectMemory=true ${BENCH_JAVA_OPTS:-} -cp "$target/classes:$cp" Bench "$work" "$section" 2> >(grep -v 'Using incubator modules' >&2) | tee "$log"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- record ----------------------------------------------------------------------------------------
if [ "${BENCH_NO_RESULTS:-}" != "1" ]; then
  results="$bench/RESULTS.md"
  if [ ! -f "$results" ]; then
    printf '# Splitpoint benchmark results\n\nAppended by `bench/run.sh` (see bench/README.md), newest last.\n' > "$results"
  fi
  fs=$(findmnt -n -o FSTYPE,SOURCE -T "$work" 2>/dev/null | tr -s ' ' || echo "?")
  {
    printf '\n## %s\n\n' "$(date -u +%F)"
    printf -- '- machine: %s CPUs (%s), %s RAM; kernel %s\n' "$(nproc)" \
      "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
      "$(free -h | awk '/^Mem:/{print $2}')" "$(uname -r)"
    printf -- '- java: %s\n' "$(java -version 2>&1 | head -1)"
    printf -- '- load average (1/5/15 min) before: %s, after: %s (other work on the machine skews results)\n' \
      "$load_before" "$load_after"
    printf -- '- peers: %s; %s\n' "$(fio --version)" "$(qemu-img --version | head -1)"
    printf -- '- scratch: %s (%s)\n' "$work" "$fs"
    if [ -n "${BENCH_ENGINE_CLASSES:-}" ]; then
      printf -- '- engine: classes from %s\n\n' "$BENCH_ENGINE_CLASSES"
    else
      printf -- '- engine: commit %s%s\n\n' "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
        "$([ -n "$(git -C "$root" status --porcelain -- engine 2>/dev/null)" ] && echo ' + uncommitted engine changes' || true)"
    fi
    cat "$section"
    printf '\n<details><summary>console output</summary>\n\n```\n'
    cat "$log"
    printf '```\n</details>\n'
  } >> "$results"
  say "appended to $results"
fi
