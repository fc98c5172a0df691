# shellcheck shell=bash
# What the run.sh of the Java-harness suites (instant, journal, drills) share. A suite's run.sh:
#
#   set -euo pipefail
#   . "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
#   bench_suite NAME MAIN "$@"     # paths, say(), --profile
#   bench_need COMMAND PACKAGE     # its peers
#   bench_compile                  # engine, CLI and bench/NAME/MAIN.java with the shared classes
#   bench_start [JVM OPTION...]    # --profile: the profile, then exit; else the timed run
#   bench_append TITLE PEERS WHERE # the dated section in bench/RESULTS.md

bench_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# bench_suite NAME MAIN ARG...: sets root, suite_dir (bench/NAME), main (the harness class), scratch
# (BENCH_DIR/NAME), out (bench/target/NAME), log, table_file and profile (--profile given).
bench_suite() {
  suite=$1
  main=$2
  shift 2
  root="$(cd "$bench_lib/../.." && pwd)"
  suite_dir="$root/bench/$suite"
  scratch="${BENCH_DIR:-$root/bench/work}/$suite"
  out="$root/bench/target/$suite"
  log="$out/last-run.txt"
  table_file="$out/table.md"
  profile=
  local arg
  for arg in "$@"; do
    case "$arg" in
      --profile) profile=1 ;;
      *) echo "bench $suite: unknown argument '$arg' (use --profile)" >&2; exit 2 ;;
    esac
  done
}

say() { echo "bench ${suite:-}: $*" >&2; }

# bench_need COMMAND PACKAGE: installs the Debian package with apt-get when the command is missing.
bench_need() {
  command -v "$1" >/dev/null && return 0
  say "installing $2"
  apt-get install -y -q "$2" >&2 || { apt-get update -q >&2 && apt-get install -y -q "$2" >&2; }
}

# bench_compile: builds the engine and the CLI, sets cp (engine classes and the third-party jars)
# and compiles the harness with the shared classes into $out/classes.
bench_compile() {
  # package, not install: the harness needs engine/target/classes and cli/target/classpath.txt only,
  # and ~/.m2 is shared with other checkouts
  say "building engine and cli (mvn -q -B -DskipTests package -pl engine,cli -am)"
  (cd "$root" && { mvn -o -q -B -DskipTests package -pl engine,cli -am || mvn -q -B -DskipTests package -pl engine,cli -am; }) >&2 \
    || { say "the build failed"; exit 1; }
  local deps
  deps=$(tr ':' '\n' < "$root/cli/target/classpath.txt" | grep -v -E '/org/splitpoint/|/splitpoint-' | grep -v '^$' | paste -sd: -)
  cp="$root/engine/target/classes${deps:+:$deps}"
  mkdir -p "$out/classes"
  javac -d "$out/classes" -cp "$cp" "$suite_dir/$main.java" "$root/bench/common/Harness.java" "$root/bench/instant/FileTiming.java" \
    "$root/bench/instant/JfrTop.java"
}

# bench_start [JVM OPTION...]: with --profile, bench_profile and exit; else bench_run. The scratch
# directory is deleted on exit.
bench_start() {
  mkdir -p "$scratch"
  trap 'rm -rf "$scratch"' EXIT
  trap 'exit 130' INT TERM
  if [ -n "$profile" ]; then
    bench_profile "$@"
    exit 0
  fi
  bench_run "$@"
}

# bench_profile [JVM OPTION...]: `MAIN SCRATCH - profile` (one pass per path, a JFR recording per
# phase in SCRATCH/jfr), the recordings kept in $out/jfr and each summarized by JfrTop.
bench_profile() {
  rm -rf "$out/jfr"
  say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086
  java -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -Dsun.nio.PageAlignDirectMemory=true "$@" ${BENCH_JAVA_OPTS:-} -cp "$out/classes:$cp" \
    "$main" "$scratch" - profile
  mv "$scratch/jfr" "$out/jfr"
  for f in "$out"/jfr/*.jfr; do
    echo
    java -cp "$out/classes" JfrTop "$f"
  done
  say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  say "recordings kept in $out/jfr (jfr summary FILE; jfr print --events jdk.FileForce FILE)"
}

# bench_run [JVM OPTION...]: the timed run, `MAIN SCRATCH TABLE.md`, its output also in $log; notes
# the load before and after for bench_append.
bench_run() {
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  uptime_before=$(uptime)
  started=$(date -u '+%F %T')
  # shellcheck disable=SC2086
  java -Dsun.nio.PageAlignDirectMemory=true "$@" ${BENCH_JAVA_OPTS:-} -cp "$out/classes:$cp" "$main" "$scratch" "$table_file" | tee "$log"
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
}

# bench_append TITLE PEERS WHERE: appends a dated section (machine, JDK, run and load, peers, scratch,
# engine commit, where the time goes, the table, the console output) to bench/RESULTS.md, unless
# BENCH_NO_RESULTS=1.
bench_append() {
  [ "${BENCH_NO_RESULTS:-}" = "1" ] && return 0
  local results="$root/bench/RESULTS.md" fs
  fs=$(findmnt -n -o FSTYPE,SOURCE -T "$scratch" 2>/dev/null | tr -s ' ' || echo "?")
  {
    printf '\n## %s — %s\n\n' "$(date -u +%F)" "$1"
    printf -- '- machine: %s CPUs (%s), %s RAM; kernel %s\n' "$(nproc)" \
      "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
      "$(free -h | awk '/^Mem:/{print $2}')" "$(uname -r)"
    printf -- '- java: %s\n' "$(java -version 2>&1 | head -1)"
    printf -- '- run: %s to %s UTC; load average (1/5/15 min) before: %s, after: %s (%s CPUs: above that, other work competes and skews results); `uptime` before: %s\n' \
      "$started" "$(date -u '+%T')" "$load_before" "$load_after" "$(nproc)" "$(echo "$uptime_before" | sed 's/^ *//')"
    printf -- '- peer: %s\n' "$2"
    printf -- '- scratch: %s (%s)\n' "$scratch" "$fs"
    printf -- '- engine: commit %s (engine sources last changed in %s)%s\n' "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "$(git -C "$root" log -1 --format=%h -- engine 2>/dev/null || echo '?')" \
      "$([ -n "$(git -C "$root" status --porcelain -- engine 2>/dev/null)" ] && echo ' + uncommitted engine changes' || true)"
    printf -- '- where the time goes: %s\n\n' "$3"
    cat "$table_file"
    printf '\n<details><summary>console output</summary>\n\n```\n'
    cat "$log"
    printf '```\n</details>\n'
  } >> "$results"
  say "appended to $results"
}
