#!/usr/bin/env bash
# Where `splitpoint serve` spends its time serving nbdcopy: run by `bench/run.sh nbd --profile` or alone.
#
# One pool (the layout of BENCH_NBD_LAYOUT, as bench/nbd/run.sh), one `splitpoint serve` with JFR
# started and stopped around each phase by jcmd (settings=profile: CPU samples every 10-20 ms,
# native method samples, allocation samples, monitor and park events), and for each phase, with the
# page cache dropped first:
#
#   read:  nbdcopy nbd://.../VOL null:          (cold)
#   write: nbdcopy --flush SRC nbd://.../VOL    (overwrite)
#
# Prints per phase the wall time, the server's CPU seconds (user+system from /proc), the load
# average, and JfrTop's summary of the recording (bench/instant/JfrTop.java: samples per thread
# and category, top frames, blocking events). Appends nothing to RESULTS.md; the recordings are
# kept in bench/target/nbd/jfr/. Environment: BENCH_DIR, BENCH_SIZE_MIB, BENCH_NBD_LAYOUT,
# BENCH_NBDCOPY_OPTS as bench/nbd/run.sh; BENCH_PROFILE_PHASES (default "read write").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
parent="${BENCH_DIR:-$root/bench/work}"
scratch="$parent/nbd-profile"
size_mib="${BENCH_SIZE_MIB:-1024}"
copy_opts="${BENCH_NBDCOPY_OPTS:-}"
layout="${BENCH_NBD_LAYOUT:-raid1}"
phases="${BENCH_PROFILE_PHASES:-read write}"
case "$layout" in
  raid1) vol=r1; drives=2; drive_mib=$size_mib ;;
  raid5) vol=r5; drives=4; drive_mib=$(( (size_mib + 2) / 3 )) ;;
  *) echo "bench nbd: BENCH_NBD_LAYOUT must be raid1 or raid5" >&2; exit 2 ;;
esac
out="$root/bench/target/nbd"
say() { echo "bench nbd profile: $*" >&2; }

command -v nbdcopy >/dev/null || apt-get install -y -q libnbd-bin >&2
say "building engine and cli (mvn -q -B -DskipTests package -pl engine,cli -am)"
(cd "$root" && { mvn -o -q -B -DskipTests package -pl engine,cli -am || mvn -q -B -DskipTests package -pl engine,cli -am; }) >&2 \
  || { say "the build failed"; exit 1; }
touch "$root/cli/target/classpath.txt"
mkdir -p "$out/classes"
javac -d "$out/classes" "$root/bench/instant/JfrTop.java"

rm -rf "$scratch" "$out/jfr"
mkdir -p "$scratch" "$out/jfr"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

pool="$scratch/pool"
"$root/splitpoint" pool create "$pool" --drives "$drives" --drive-size "${drive_mib}M" >&2
"$root/splitpoint" volume create "$pool" "$vol" --layout "$layout" --drives "$(seq -s, -f 'd%g' 1 "$drives")" >&2
port=10990
while [ -n "$(ss -Htln "( sport = :$port )" 2>/dev/null)" ]; do port=$((port + 1)); done
uri="nbd://127.0.0.1:$port/$vol"
SPLITPOINT_JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints ${SPLITPOINT_JAVA_OPTS:-}" \
  "$root/splitpoint" serve "$pool" --nbd "127.0.0.1:$port" >"$scratch/serve.log" 2>&1 &
pid=$!
for _ in $(seq 600); do nbdinfo --list "nbd://127.0.0.1:$port" >/dev/null 2>&1 && break; sleep 0.1; done
bytes=$(nbdinfo --size "$uri")
src="$scratch/src.bin"
head -c "$bytes" /dev/urandom >"$src"
# shellcheck disable=SC2086
nbdcopy $copy_opts --flush "$src" "$uri"
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

for phase in $phases; do
  sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || say "could not drop the page cache: the read is hot"
  if [ "$phase" = write ]; then cat "$src" >/dev/null; fi
  jcmd "$pid" JFR.start name="$phase" settings=profile >/dev/null
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  c0=$(cpu_ticks "$pid"); t0=$(date +%s%N)
  if [ "$phase" = write ]; then
    # shellcheck disable=SC2086
    nbdcopy $copy_opts --flush "$src" "$uri"
  else
    # shellcheck disable=SC2086
    nbdcopy $copy_opts "$uri" null:
  fi
  t1=$(date +%s%N); c1=$(cpu_ticks "$pid")
  jcmd "$pid" JFR.stop name="$phase" filename="$out/jfr/$phase.jfr" >/dev/null
  awk -v p="$phase" -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz="$hz" -v n="$bytes" -v l="$load" -v lay="$layout" \
    'BEGIN { s = (t1 - t0) / 1e9; printf "%s %s: %.3f s, %.1f MiB/s, server cpu %.2f s (%.2f s per GiB), load average %s\n",
             lay, p, s, n / 1048576 / s, c / hz, c / hz * 1073741824 / n, l }'
  java -cp "$out/classes" JfrTop "$out/jfr/$phase.jfr"
done
say "recordings kept in $out/jfr (jfr print --events jdk.ObjectAllocationSample FILE; jfr summary FILE)"
