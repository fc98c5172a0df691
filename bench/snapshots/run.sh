#!/usr/bin/env bash
# Snapshots benchmark (the snapshots issue, "Benchmark"): run by bench/run.sh (all suites, or
# `bench/run.sh snapshots`) or alone: bench/snapshots/run.sh [--profile]
#
# A Java harness (bench/snapshots/SnapshotBench.java, compiled against engine/target/classes with
# bench/common/Harness.java) drives the engine directly: one pool of sparse drive images, 64 KiB
# tracks, with a raid1 volume v of 1 GiB (BENCH_SIZE_MIB) over 2 drives, a volume w like it with
# the same bytes (its snapshot w@base is the full-copy reference), a raid1 save area as big as v
# (filled once), and a 64 GiB volume; beside it q1.qcow2 (v's size and bytes) and q64.qcow2 (64 GiB)
# for qemu-img. Same run, two regimes (page cache warm; caches dropped before every sample),
# medians of BENCH_REPS repetitions:
#
#   1. create      snapshots().create() on the 64 GiB volume vs the 1 GiB one (target: equal within
#                  noise, ratio within 0.67..1.5), each vs `qemu-img snapshot -c` on the qcow2 of
#                  that size (ratio of times, no target); 1c: the same when it is the volume's first
#                  snapshot since the pool was opened (as for every CLI create), same target
#   2. first write 256 MiB (BENCH_SNAP_WRITE_MIB) from 4 threads + flush, sequential 1 MiB writes and
#                  random 64 KiB..1 MiB extents, right after a snapshot (every track's old bytes
#                  saved) vs the same writes with no snapshot (target >= 0.5x)
#   3. rewrite     the same writes again with the snapshot there (tracks saved already) vs none
#                  (target >= 0.9x)
#   4. restore     restore(v, snap) after 1% of the tracks were written, to DONE, vs a full copy by
#                  the same machinery (restore(v, w@base): every track) (target <= 3%); 4b: the same
#                  with a safety snapshot first (the CLI's default), no target
#   5. first read  restore() to the first correct read of a changed track (milliseconds)
#   6. qemu        the restore vs `qemu-img snapshot -a` on q1.qcow2 after as many 64 KiB clusters
#                  were written by qemu-io (ratio of times, no target)
#
# Prints the table and appends a dated section (machine, JDK, load average and uptime before/after
# and per regime, commit, table, console output) to bench/RESULTS.md. About 6-8 minutes on 2 cores
# with the defaults; needs about 8 GiB of scratch space (the 64 GiB images are sparse), freed at the end.
#
#   --profile   no table: one pass of each path through a timing file layer with a JFR recording
#               per phase (bench/target/snapshots/jfr/*.jfr), the first writes' file time per MiB
#               by part of the path, then a summary of each recording (bench/instant/JfrTop.java);
#               appends nothing
#
# Environment:
#   BENCH_DIR             scratch parent directory (default bench/work/, git-ignored); uses BENCH_DIR/snapshots/
#   BENCH_REPS            repetitions per regime (default 4: as many of each order)
#   BENCH_SIZE_MIB        size of v, w and q1.qcow2 (default 1024)
#   BENCH_NO_RESULTS=1    print only; do not append to bench/RESULTS.md
#   BENCH_SETTLE_MS       idle time after the sync before each timed sample (default 500)
#   BENCH_JAVA_OPTS       extra JVM options for the harness
#   BENCH_SNAP_LAYOUT     raid1 (default, 2 drives) or raid5 (4 drives) for v, w and the big volume
#   BENCH_SNAP_BIG_GIB    size of the big volume and q64.qcow2 (default 64)
#   BENCH_SNAP_SAVE_MIB   save area size (default BENCH_SIZE_MIB)
#   BENCH_SNAP_WRITE_MIB  bytes written per write sample (default 256)
#   BENCH_SNAP_THREADS    writer threads (default 4)
#   BENCH_SNAP_WORKLOADS  "seq,rand" (default), or one of them
#   BENCH_SNAP_PERCENT    percentage of v's tracks changed before a restore (default 1)
#   BENCH_SNAP_CREATES    create samples per volume per ABBA slot (default 2: 4 per volume per repetition)
#   BENCH_SNAP_REGIMES    "warm,cold" (default), or one of them
#   BENCH_SNAP_PHASES     --profile: phases to run: create,write,restore (default all)
set -euo pipefail
# shellcheck source=../common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
bench_suite snapshots SnapshotBench "$@"
bench_need qemu-img qemu-utils
bench_need qemu-io qemu-utils
bench_compile
bench_start
bench_append "snapshots" "$(qemu-img --version | head -1) (\`qemu-img snapshot -c/-a\`, \`qemu-io\` for the changes)" \
  '`bench/run.sh snapshots --profile`; findings in bench/notes/README.md ("Snapshots")'
