#!/usr/bin/env bash
# NBD benchmark: run by bench/run.sh (all suites, or `bench/run.sh nbd`) or alone: bench/nbd/run.sh
#
# nbdcopy reading and writing a 1 GiB raid1 volume (2 drives) through `splitpoint serve`, against
# the same through `nbdkit file` serving a plain image of the same size, same run, same file
# system. Ratio = ours / nbdkit; targets (issue): reads >= 1.0x, raid1 writes >= 0.9x.
#
#   write: nbdcopy --flush SRC nbd://.../r1   (random bytes, includes nbdcopy's final flush)
#   read:  nbdcopy nbd://.../r1 null:
#   zero:  qemu-io -f raw -c 'write -z 0 SIZE' nbd://.../r1   (WRITE_ZEROES with NO_HOLE in 32 MiB
#          requests, then qemu's flush at close), over the random bytes: each side is filled again,
#          untimed, before each of its zero samples (when qemu-io is installed; target >= 1.0x)
#
# Both the volume and the plain image are filled once, untimed, with the same random bytes, so
# timed writes overwrite allocated blocks on both sides. Before every sample: sync, drop the page
# cache (both servers read cold), and for writes read the source file once (warm on both sides).
# Each repetition runs each phase in ABBA order (ours, peer, peer, ours; BAAB on even
# repetitions): medians of BENCH_REPS x 2 samples per side. Before the repetitions, untimed
# warm-up rounds (BENCH_WARMUP_ROUNDS, 3) run every phase once per side each (a fresh JVM runs its
# first requests of a kind interpreted and compiles them meanwhile: a zeroing's first runs went
# 1.5-2x slower than its later ones, a read's second 1 GiB still 1.4x); the first round's times are
# printed and shown in the table's "first sample" column, not counted in the medians. Prints a
# table and appends a dated section to bench/RESULTS.md. Both servers are stopped (SIGTERM by PID; splitpoint serve flushes
# and closes the pool) and the scratch is deleted at the end.
#
# Environment:
#   BENCH_DIR          scratch parent directory (default bench/work/, git-ignored); uses BENCH_DIR/nbd/
#   BENCH_REPS         repetitions, 2 samples per side each (default 3)
#   BENCH_SIZE_MIB     volume and image size in MiB (default 1024)
#   BENCH_NO_RESULTS=1 print only; do not append to bench/RESULTS.md
#   BENCH_SETTLE_MS    idle time after the sync before each timed run (default 500)
#   BENCH_WARMUP_ROUNDS  untimed rounds before the repetitions (default 3): a fresh server's JIT
#                      compiles its read path over its first ~10,000 requests (perf: the C2 compiler
#                      thread took 27% of both CPUs during a second 1 GiB read, 1% by the tenth),
#                      and the table is about a server that has been running; the first round's
#                      times stay in the "first sample" column
#   BENCH_NBD_WARM     1 (default): before each sample, after dropping the page cache, read the
#                      source, the plain image and one member image once (3 x the volume) and drop
#                      the cache again (see "warm" below);
#                      0: do not
#   BENCH_NBDCOPY_OPTS extra nbdcopy options for both sides, e.g. "-C 1 -R 16" (default: none,
#                      i.e. nbdcopy's defaults: up to 4 connections, 64 requests in flight, 256 KiB)
#   BENCH_NBD_LAYOUT   raid1 (default: 2 drives of the volume's size) or raid5 (4 drives of a third
#                      of it); targets: raid1 read >= 1.0x, write >= 0.9x; raid5 read >= 1.0x, write >= 0.7x
#   SPLITPOINT_JAVA_OPTS  JVM options for `splitpoint serve` (read by the launcher)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
parent="${BENCH_DIR:-$root/bench/work}"
scratch="$parent/nbd"
reps="${BENCH_REPS:-3}"
size_mib="${BENCH_SIZE_MIB:-1024}"
settle_ms="${BENCH_SETTLE_MS:-500}"
warmup_rounds="${BENCH_WARMUP_ROUNDS:-3}"
copy_opts="${BENCH_NBDCOPY_OPTS:-}"
warm_memory="${BENCH_NBD_WARM:-1}"
layout="${BENCH_NBD_LAYOUT:-raid1}"
case "$layout" in
  raid1) vol=r1; drives=2; drive_mib=$size_mib; write_target=0.9 ;;
  raid5) vol=r5; drives=4; drive_mib=$(( (size_mib + 2) / 3 )); write_target=0.7 ;;
  *) echo "bench nbd: BENCH_NBD_LAYOUT must be raid1 or raid5" >&2; exit 2 ;;
esac
out="$root/bench/target/nbd"
log="$out/last-run.txt"
table_file="$out/table.md"

say() { echo "bench nbd: $*" >&2; }

# ---- tools and build -----------------------------------------------------------------------------
missing=()
command -v nbdkit >/dev/null || missing+=(nbdkit)
command -v qemu-io >/dev/null || missing+=(qemu-utils)
{ command -v nbdcopy >/dev/null && command -v nbdinfo >/dev/null; } || missing+=(libnbd-bin)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  if ! apt-get install -y -q "${missing[@]}" >&2; then
    apt-get update -q >&2
    apt-get install -y -q "${missing[@]}" >&2
  fi
fi
# package, not install: ~/.m2 is shared with other checkouts; the launcher runs the classes dirs and
# cli/target/classpath.txt, and builds only when that stamp is older than a source (touched here)
say "building engine and cli (mvn -q -B -DskipTests package -pl engine,cli -am)"
(cd "$root" && { mvn -o -q -B -DskipTests package -pl engine,cli -am || mvn -q -B -DskipTests package -pl engine,cli -am; }) >&2 \
  || { say "the build failed"; exit 1; }
touch "$root/cli/target/classpath.txt"

# ---- scratch, servers, cleanup --------------------------------------------------------------------
mkdir -p "$out" "$parent"
rm -rf "$scratch"
mkdir -p "$scratch"
pool="$scratch/pool"
plain="$scratch/plain.img"
src="$scratch/src.bin"
ours_pid=""
peer_pid=""

stop() { # stop PID NAME: SIGTERM, wait up to 60 s, then SIGKILL (only our own child)
  local pid=$1 name=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name (pid $pid) did not stop within 60 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  local rc=0
  wait "$pid" 2>/dev/null || rc=$?
  say "$name (pid $pid) stopped, exit status $rc"
}
cleanup() {
  stop "$ours_pid" "splitpoint serve"
  if [ -f "$scratch/serve.log" ] && grep -q 'shutdown:' "$scratch/serve.log"; then
    say "splitpoint serve did not shut down cleanly:"; grep 'shutdown:' "$scratch/serve.log" >&2
  fi
  stop "$peer_pid" "nbdkit"
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { [ -z "$(ss -Htln "( sport = :$1 )" 2>/dev/null)" ]; }
free_port() { # a listening port nobody uses, from $1 up
  local p=$1
  while ! port_free "$p" || [ "$p" = "${2:-}" ]; do p=$((p + 1)); done
  echo "$p"
}
wait_nbd() { # wait_nbd URI PID NAME LOGFILE
  local i
  for i in $(seq 3000); do
    if nbdinfo --list "$1" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then
      say "$3 exited before answering on $1:"; cat "$4" >&2; exit 1
    fi
    sleep 0.1
  done
  say "$3 did not answer on $1 within 300 s"; cat "$4" >&2; exit 1
}

say "creating the pool ($drives drives of ${drive_mib} MiB, $layout volume $vol)"
"$root/splitpoint" pool create "$pool" --drives "$drives" --drive-size "${drive_mib}M" >&2
"$root/splitpoint" volume create "$pool" "$vol" --layout "$layout" --drives "$(seq -s, -f 'd%g' 1 "$drives")" >&2

port1=$(free_port 10930)
port2=$(free_port $((port1 + 1)) "$port1")
ours_uri="nbd://127.0.0.1:$port1/$vol"
peer_uri="nbd://127.0.0.1:$port2/"
"$root/splitpoint" serve "$pool" --nbd "127.0.0.1:$port1" >"$scratch/serve.log" 2>&1 &
ours_pid=$! # the launcher execs java: this is the server's own pid
wait_nbd "nbd://127.0.0.1:$port1" "$ours_pid" "splitpoint serve" "$scratch/serve.log"
bytes=$(nbdinfo --size "$ours_uri")
say "splitpoint serve (pid $ours_pid) on $ours_uri: $bytes bytes"
truncate -s "$bytes" "$plain"
nbdkit -f -i 127.0.0.1 -p "$port2" file "$plain" >"$scratch/nbdkit.log" 2>&1 &
peer_pid=$!
wait_nbd "nbd://127.0.0.1:$port2" "$peer_pid" "nbdkit" "$scratch/nbdkit.log"
say "nbdkit file (pid $peer_pid) on $peer_uri"

say "preparing (filling the volume and the plain image with the same random bytes, untimed)"
head -c "$bytes" /dev/urandom >"$src"
# what nbdcopy's defaults come to here (connections are capped by its threads = CPU cores)
head -c 1048576 "$src" >"$scratch/probe.bin"
# shellcheck disable=SC2086
copy_params=$({ nbdcopy $copy_opts -v "$scratch/probe.bin" "$ours_uri" 2>&1 || true; } | grep -o 'connections=.*' | head -1 || true)
copy_params=${copy_params:-?}
rm -f "$scratch/probe.bin"
# shellcheck disable=SC2086
nbdcopy $copy_opts --flush "$src" "$ours_uri"
# shellcheck disable=SC2086
nbdcopy $copy_opts --flush "$src" "$peer_uri"

# ---- measure ---------------------------------------------------------------------------------------
can_drop=1
drop_caches() {
  sync
  if [ "$can_drop" = 1 ] && ! { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
    can_drop=0
    say "could not drop the page cache (not permitted): reads are HOT for both sides"
  fi
}
# warm: on a VM with free page reporting (virtio-balloon; "Free page reporting enabled" in dmesg)
# the host takes back free guest memory, and the guest's first touch of such a page afterwards costs
# a host fault. Pages freed by the cache drop are reported again within seconds, so which side has
# touched more memory just before (a raid1 write buffers 2 GiB, nbdkit's 1 GiB; O_DIRECT writes
# none) moved cold reads by up to 30% (perf: 4-6x the samples in _copy_to_iter for the same bytes).
# Reading 3 x the volume (a raid1 write needs 2 x in the cache, the warm source 1 x) through the
# page cache and dropping it again right before the timed run hands both sides host-backed memory.
warm() {
  if [ "$warm_memory" = 1 ] && [ "$can_drop" = 1 ]; then
    cat "$src" "$plain" "$pool/drives/d1.img" >/dev/null
    sync
    echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
  fi
}
settle() { sleep "$(awk -v ms="$settle_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
declare -A samples=()

sample() { # sample PHASE SIDE [KIND]   (KIND first or warm-up: a warm-up round's sample, kept apart from the medians)
  local phase=$1 side=$2 kind=${3:-} uri pid t0 t1 c0 c1 secs
  if [ "$side" = ours ]; then uri=$ours_uri; pid=$ours_pid; else uri=$peer_uri; pid=$peer_pid; fi
  drop_caches
  warm
  if [ "$phase" = write ]; then cat "$src" >/dev/null; fi
  if [ "$phase" = zero ]; then
    # zeroing over data, as the write phase overwrites data: fill this side again first (untimed)
    # shellcheck disable=SC2086
    nbdcopy $copy_opts --flush "$src" "$uri"
    sync
  fi
  settle
  c0=$(cpu_ticks "$pid")
  t0=$(date +%s%N)
  if [ "$phase" = write ]; then
    # shellcheck disable=SC2086
    nbdcopy $copy_opts --flush "$src" "$uri"
  elif [ "$phase" = zero ]; then
    qemu-io -f raw -c "write -z 0 $bytes" "$uri" >/dev/null
  else
    # shellcheck disable=SC2086
    nbdcopy $copy_opts "$uri" null:
  fi
  t1=$(date +%s%N)
  c1=$(cpu_ticks "$pid")
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  samples[$phase.$side${kind:+.$kind}]+=" $secs"
  awk -v p="$phase${kind:+ ($kind)}" -v s="$side" -v t="$secs" -v n="$bytes" -v c="$(( c1 - c0 ))" -v hz="$hz" \
    'BEGIN { printf "  %-5s %-6s %8.3f s %9.1f MiB/s   server cpu %5.2f s\n", p, s, t, n / 1048576 / t, c / hz }' | tee -a "$log"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$log"
echo "nbdcopy options: ${copy_opts:-(defaults)} ($copy_params); ${reps} repetitions; memory warm-up before each sample: $([ "$warm_memory" = 1 ] && echo yes || echo no); load average before: $load_before" | tee -a "$log"
echo "warm-up: $warmup_rounds round(s), every phase once per side each, not counted; the first round's times are the table's 'first sample' (load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$log"
for w in $(seq "$warmup_rounds"); do
  for phase in write read zero; do
    for side in ours peer; do sample "$phase" "$side" "$([ "$w" = 1 ] && echo first || echo warm-up)"; done
  done
done
for r in $(seq "$reps"); do
  echo "repetition $r/$reps (load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$log"
  if [ $((r % 2)) = 1 ]; then order="ours peer peer ours"; else order="peer ours ours peer"; fi
  for phase in write read zero; do
    for side in $order; do sample "$phase" "$side"; done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

say "checking the volume's bytes: zeros after the zero phase, then the source written again (untimed)"
if nbdcopy "$ours_uri" - | cmp -s -n "$bytes" - /dev/zero; then zeroed="read back as zeros after the zero phase"
else zeroed="**did NOT read back as zeros after the zero phase**"; fi
# shellcheck disable=SC2086
nbdcopy $copy_opts --flush "$src" "$ours_uri"
if nbdcopy "$ours_uri" - | cmp -s - "$src"; then verified="the volume's bytes $zeroed, and equal the source written again"
else verified="the volume's bytes $zeroed, and **DIFFER from the source written again**"; fi
echo "check: $verified" | tee -a "$log"

# ---- table -------------------------------------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int(NR / 2) + 1] }'; }
fastest() { tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
line() { # line PHASE LABEL TARGET
  local mo mp fo fp
  mo=$(echo "${samples[$1.ours]}" | median); mp=$(echo "${samples[$1.peer]}" | median)
  fo=$(echo "${samples[$1.ours]}" | fastest); fp=$(echo "${samples[$1.peer]}" | fastest)
  awk -v l="$2" -v t="$3" -v mo="$mo" -v mp="$mp" -v fo="$fo" -v fp="$fp" -v n="$bytes" \
    -v wo="${samples[$1.ours.first]}" -v wp="${samples[$1.peer.first]}" 'BEGIN {
    m = n / 1048576; ro = m / mo; rp = m / mp; ratio = ro / rp
    printf "| %s | %.0f | %.0f | %.2f | ≥ %.1f | %s | %.2f | %.3f / %.3f s |\n", l, ro, rp, ratio, t, (ratio >= t ? "PASS" : "**MISS**"), (m / fo) / (m / fp), wo, wp }'
}
table=$(cat <<T
| nbdcopy, $((bytes / 1048576)) MiB | ours MiB/s | nbdkit MiB/s | ratio ours/nbdkit | target | result | best ratio | first sample, ours / nbdkit (warm-up, not counted) |
|---|---:|---:|---:|---:|---|---:|---:|
$(line read "read: \`nbdcopy nbd://…/$vol null:\` ($layout, cold)" 1.0)
$(line write "write: \`nbdcopy --flush SRC nbd://…/$vol\` ($layout, overwrite)" "$write_target")
$(line zero "zero: \`qemu-io -c 'write -z 0 SIZE' nbd://…/$vol\` ($layout, over data)" 1.0)
T
)
echo "$table" | tee "$table_file"

# ---- record ------------------------------------------------------------------------------------------
if [ "${BENCH_NO_RESULTS:-}" != "1" ]; then
  results="$root/bench/RESULTS.md"
  if [ ! -f "$results" ]; then
    printf '# Splitpoint benchmark results\n\nAppended by `bench/run.sh` (see bench/README.md), newest last.\n' >"$results"
  fi
  fs=$(findmnt -n -o FSTYPE,SOURCE -T "$parent" 2>/dev/null | tr -s ' ' || echo "?")
  {
    printf '\n## %s — nbd, %s (nbdcopy through `splitpoint serve` vs `nbdkit file`)\n\n' "$(date -u +%F)" "$layout"
    printf -- '- machine: %s CPUs (%s), %s RAM; kernel %s\n' "$(nproc)" \
      "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
      "$(free -h | awk '/^Mem:/{print $2}')" "$(uname -r)"
    printf -- '- java: %s\n' "$(java -version 2>&1 | head -1)"
    printf -- '- load average (1/5/15 min) before: %s, after: %s (other work on the machine skews results)\n' \
      "$load_before" "$load_after"
    printf -- '- peers: %s, %s; nbdcopy options: %s (%s)\n' "$(nbdkit --version | head -1)" "$(nbdcopy --version | head -1)" \
      "${copy_opts:-defaults}" "$copy_params"
    printf -- '- scratch: %s (%s); page cache %s%s\n' "$scratch" "$fs" \
      "$([ "$can_drop" = 1 ] && echo 'dropped before every sample (cold reads)' || echo 'NOT dropped (not permitted): hot reads')" \
      "$([ "$warm_memory" = 1 ] && [ "$can_drop" = 1 ] && echo '; guest memory warmed (3 x the volume read and dropped) right before each sample' || true)"
    printf -- '- engine: commit %s%s\n' "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
      "$([ -n "$(git -C "$root" status --porcelain -- engine cli 2>/dev/null)" ] && echo ' + uncommitted engine/cli changes' || true)"
    printf -- '- medians of %s samples per side (ABBA order) after %s warm-up round(s) per side and phase; %s\n\n' "$((reps * 2))" "$warmup_rounds" "$verified"
    echo "$table"
    printf '\n<details><summary>console output</summary>\n\n```\n'
    cat "$log"
    printf '```\n</details>\n'
  } >>"$results"
  say "appended to $results"
fi
