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
# shellcheck source=../common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
bench_suite instant InstantBench "$@"
bench_need qemu-img qemu-utils
bench_compile
bench_start
bench_append "instant restore and backups (issue 11)" "$(qemu-img --version | head -1)" \
  '`bench/run.sh instant --profile`; findings in bench/notes/README.md'
