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
# shellcheck source=../common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
bench_suite journal JournalBench "$@"
bench_need qemu-img qemu-utils
bench_compile
bench_start
bench_append "staged backup journal (issue 12)" "$(qemu-img --version | head -1)" \
  '`bench/run.sh journal --profile`; findings in bench/notes/README.md ("Staged backup journal")'
