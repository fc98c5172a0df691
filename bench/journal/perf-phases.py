#!/usr/bin/env python3
"""On-CPU profile of the journal harness by phase, from `perf script`.

JFR's execution sampler drops samples taken inside intrinsic stubs (SHA-256 runs in one on CPUs
with SHA extensions, CRC32C too), so this complements `bench/run.sh journal --profile` with perf.
The harness prints each profiled phase's window as `perf-phase NAME T0 T1` (System.nanoTime(),
CLOCK_MONOTONIC); perf records with the same clock (-k CLOCK_MONOTONIC), so samples are cut by
phase:

    perf record -k CLOCK_MONOTONIC -F 997 -g -o perf.data -- java -XX:+PreserveFramePointer \\
        -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit \\
        -cp bench/target/journal/classes:engine/target/classes:JARS JournalBench DIR - profile | tee out.txt
    perf script -i perf.data -F comm,tid,time,ip,sym | python3 bench/journal/perf-phases.py out.txt

Per phase: on-CPU samples of the harness's process by thread kind, then by category (the first
frame from the top that says what the time is for; categories of bench/instant/perf-top.py plus
CRC32C and XOR), then the engine paths (which engine method the sample is under). Waits for
fsync or I/O do not show here (the timing file layer of --profile shows them).
"""
import collections
import importlib.util
import os
import re
import sys

spec = importlib.util.spec_from_file_location(
    "perf_top", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "instant", "perf-top.py"))
pt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pt)

CATEGORIES = [("CRC32C (journal entry checksums)", ["CRC32C", "crc32c"]),
              ("XOR parity (Xor.into)", ["Xor.into"])] + pt.CATEGORIES
STUB_CALLERS = [("SHA-256 (intrinsic stub under DigestBase)", ["MessageDigest", "DigestBase", "digestOf",
                                                               "ImageWriter.putTrack", "ImageReader.verify",
                                                               "ImageReader.readTrack"]),
                ("CRC32C (journal entry checksums)", ["CRC32C", "RingLog.crc"]),
                ("copy between Java buffers (array copy stub)", ["ByteBuffer.get", "ByteBuffer.put", "JournalAdmin$$Lambda",
                                                                "WriteJournal.append", "RingLog.append", "restoreTrack",
                                                                "writeFullStripes", "writePartialStripe"])] + pt.STUB_CALLERS[1:]

# engine paths, most specific first (a sample counts under the first whose method is on its stack)
PATHS = [
    ("verify of the sealed image (ImageReader.verify, ship)", "ImageReader.verify"),
    ("journal append (WriteJournal.append, in RaidVolume.write)", "WriteJournal.append"),
    ("journal legs forced (WriteJournal.sync, flush hook)", "WriteJournal.sync"),
    ("chain read of a track + its SHA-256 check (ChainReader.readTrack)", "ChainReader.readTrack"),
    ("journal entries read onto the track (JournalOverlay.apply)", "JournalOverlay.apply"),
    ("image writer (ImageWriter.putTrack)", "ImageWriter.putTrack"),
    ("image checkpoint / seal (ImageWriter.sync, seal)", "ImageWriter.s"),
    ("members forced (RaidVolume.flush, forceMembers)", "forceMembers"),
    ("raid5 write to the members (RaidVolume.write)", "RaidVolume.write"),
    ("restore checkpoint (BulkCopy.checkpoint)", "BulkCopy.checkpoint"),
    ("rebuild, other (InstantRestore)", "InstantRestore"),
    ("ship, other (JournalShipWork)", "JournalShipWork"),
    ("host I/O, other (HostView)", "HostView"),
]


def category_of(frames):
    if frames and frames[0].startswith("StubRoutines") and len(frames) > 1:
        for name, keys in STUB_CALLERS:
            if any(k in frames[1] for k in keys):
                return name
        return "stub called from " + frames[1][:90]
    for f in frames:
        for name, keys in CATEGORIES:
            if any(k in f for k in keys):
                return name
    return "other: " + (frames[0][:100] if frames else "?")


def path_of(frames):
    text = " ".join(frames)
    for name, key in PATHS:
        if key in text:
            return name
    return "(no engine path)"


HEADER = re.compile(r"^(?P<comm>.*?)\s+(?P<tid>\d+)\s+(?P<time>\d+\.\d+):\s*$")


def samples(stream):
    cur = None
    for line in stream:
        if not line.strip():
            if cur is not None:
                yield cur
            cur = None
            continue
        if not line[0].isspace():
            m = HEADER.match(line.rstrip("\n"))
            cur = None if m is None else (m.group("comm"), float(m.group("time")), [])
        elif cur is not None:
            parts = line.strip().split(None, 1)
            cur[2].append(parts[1] if len(parts) > 1 else "?")
    if cur is not None:
        yield cur


def main():
    phases = []
    with open(sys.argv[1]) as f:
        for line in f:
            if line.startswith("perf-phase "):
                _, name, t0, t1 = line.split()
                phases.append((name, int(t0) / 1e9, int(t1) / 1e9))
    by = {p[0]: collections.Counter() for p in phases}
    paths = {p[0]: collections.Counter() for p in phases}
    threads = {p[0]: collections.Counter() for p in phases}
    for comm, t, frames in samples(sys.stdin):
        for name, t0, t1 in phases:
            if t0 <= t <= t1:
                by[name][category_of(frames)] += 1
                paths[name][path_of(frames)] += 1
                kind = "job thread" if comm.startswith("splitpoint-job") else comm if comm in ("main",) else \
                    "GC" if comm.startswith("G1") or comm.startswith("GC") else \
                    "JIT" if comm.startswith("C1") or comm.startswith("C2") else "other: " + comm
                threads[name][kind] += 1
                break
    for name, t0, t1 in phases:
        total = sum(by[name].values())
        print(f"== {name}: {t1 - t0:.3f} s wall, {total} on-CPU samples (~{total / 997:.2f} CPU-s at 997 Hz)")
        print("  threads: " + ", ".join(f"{k} {v}" for k, v in threads[name].most_common()))
        for k, v in by[name].most_common(14):
            print(f"  {100 * v / max(1, total):5.1f}%  {v:6d}  {k}")
        print("  engine paths:")
        for k, v in paths[name].most_common(12):
            print(f"  {100 * v / max(1, total):5.1f}%  {v:6d}  {k}")
        print()


if __name__ == "__main__":
    main()
