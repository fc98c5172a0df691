#!/usr/bin/env bash
# Splitpoint GUI benchmark (not a test): the real main window under X (Xvfb when there is no display),
# the pair console open, the demo's light verified workload on the STD, while a full-speed full
# restore of a 1 GiB STD runs. Reports the FX thread's pulse gaps and stalls (runLater lateness; the
# target is no stall over 16 ms) and the time to draw the track map of a 1 TiB volume of 64 KiB
# tracks (16 M tracks; target ≤ 8 ms a frame). Sources: bench/gui/*.java.
#
#   bench/gui-bench.sh            build if needed, run, print a Markdown section
#   bench/gui-bench.sh --append   ... and append it to bench/RESULTS.md
#
# Environment: BENCH_DIR scratch directory (default bench/work/; the pool is deleted at the end),
# GUI_BENCH_SIZE_MIB STD size (default 1024), GUI_BENCH_JAVA_OPTS extra JVM options,
# GUI_BENCH_ONLY=restore to skip the track map part (profiling the restore alone), GUI_BENCH_RESTORES=N
# restores one after the other (the first shows what a window's first job costs), GUI_BENCH_WORST=1 the
# five longest gaps and the FX thread's stacks during the longest (sampled every 2 ms; diagnosis).
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
work="${BENCH_DIR:-$bench/work}"
classes="$bench/target/gui-classes"
size="${GUI_BENCH_SIZE_MIB:-1024}"
say() { echo "gui-bench: $*" >&2; }

say "building the engine and the app"
(cd "$root" && mvn -q -B package -DskipTests -pl engine,app -am) >&2

deps() { tr ':' '\n' < "$root/app/target/classpath.txt" | grep -v -E '/org/splitpoint/|/splitpoint-(engine|cli|app)-[^/]*\.jar$' | grep -v '^$' || true; }
modpath=$(deps | grep '/org/openjfx/' | paste -sd: -)
cp="$root/engine/target/classes:$root/cli/target/classes:$root/app/target/classes:$(deps | grep -v '/org/openjfx/' | paste -sd: -)"

rm -rf "$classes" && mkdir -p "$classes" "$work"
javac -d "$classes" --module-path "$modpath" --add-modules javafx.controls,javafx.fxml -cp "$cp" "$bench"/gui/*.java

xvfb=""
if [ -z "${DISPLAY:-}" ]; then
  display=":97"
  Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill "$xvfb" 2>/dev/null || true' EXIT
  export DISPLAY="$display"
  sleep 1
fi

out="$work/gui-bench.md"
say "running on DISPLAY=$DISPLAY with a ${size} MiB STD"
# as the launcher starts the app: with the foreign API (fallocate, read advice) and sun.nio.ch open
java -Xmx2g -Dsun.nio.PageAlignDirectMemory=true ${GUI_BENCH_JAVA_OPTS:-} --module-path "$modpath" --add-modules javafx.controls,javafx.fxml,jdk.incubator.foreign \
  --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$classes:$cp" GuiBench "$work" "$size" > "$out"
rm -rf "$work/gui-pool"
cat "$out"
if [ "${1:-}" = "--append" ]; then
  cat "$out" >> "$bench/RESULTS.md"
  say "appended to bench/RESULTS.md"
fi
