#!/usr/bin/env bash
# Drive service drills benchmark (issue 9, "Benchmark"): run by bench/run.sh (all suites, or
# `bench/run.sh drills`) or alone: bench/drills/run.sh [--profile]
#
# A Java harness (bench/drills/DrillBench.java, compiled against engine/target/classes with
# bench/common/Harness.java) drives the engine directly: one pool with a raid5 volume (1 GiB over 4
# drives, 64 KiB strips and tracks), filled once; drive d2 is taken offline
# (service().offline(d2, RESET, mode), the reset step instant: -Dsplitpoint.serviceStepScale=0),
# P% of the volume's tracks are written whole at random through pool.device("v"), and
# service().online(d2) resyncs it. Same run, two regimes (page cache warm; caches dropped before
# every sample), medians of BENCH_REPS repetitions:
#
#   1. resync    online() to DONE after a window with 1% (target <= 3%) and 10% (target <= 15%) of
#                the tracks written, per mode (pointers, data, repository), as a fraction of a full
#                rebuild of d2 in the same repetition (failDrive, replaceDrive to DONE)
#   2. rsync     the same stale image of d2 (copied at offline time) brought up to date by
#                `rsync -I --inplace --no-whole-file` from a copy of d2 after the resync, + sync;
#                time ratio ours / rsync (no target in the issue)
#   3. write     the window's writes per mode vs the same writes with the volume OPTIMAL (throughput
#                ratio, no target in the issue)
#
# Prints the table and appends a dated section (machine, JDK, load average and uptime before/after
# and per regime, commit, table, console output) to bench/RESULTS.md. About 7-9 minutes on 2 cores
# with the defaults; needs about 2.5 GiB of scratch space, freed at the end.
#
#   --profile   no table: one pass of each path through a timing file layer with a JFR recording
#               per phase (bench/target/drills/jfr/*.jfr), then a summary of each recording
#               (bench/instant/JfrTop.java); appends nothing
#
# Environment:
#   BENCH_DIR              scratch parent directory (default bench/work/, git-ignored); uses BENCH_DIR/drills/
#   BENCH_REPS             repetitions per regime (default 4: as many of each order; one sample per line each)
#   BENCH_SIZE_MIB         volume size (default 1024)
#   BENCH_NO_RESULTS=1     print only; do not append to bench/RESULTS.md
#   BENCH_SETTLE_MS        idle time after the sync before each timed sample (default 500)
#   BENCH_JAVA_OPTS        extra JVM options for the harness
#   BENCH_DRILLS_PERCENTS  percentages of the volume's tracks written in a window (default "1,10")
#   BENCH_DRILLS_MODES     log modes (default "pointers,data,repository")
#   BENCH_DRILLS_REGIMES   "warm,cold" (default), or one of them
#   BENCH_DRILLS_DRIVES    raid5 members (default 4)
#   BENCH_DRILLS_PHASES    --profile: phases to run: rebuild,write,resync (default all)
set -euo pipefail
# shellcheck source=../common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
bench_suite drills DrillBench "$@"
bench_need rsync rsync
bench_compile
bench_start -Dsplitpoint.serviceStepScale=0
bench_append "drive service drills (issue 9)" "$(rsync --version | head -1)" \
  '`bench/run.sh drills --profile`; findings in bench/notes/README.md ("Drive service drills")'
