#!/usr/bin/env python3
"""On-CPU profile of the instant-restore harness by engine path, from `perf script`.

JFR's execution sampler drops samples taken inside intrinsic stubs (SHA-256 runs in one on CPUs
with SHA extensions), so this complements `bench/run.sh instant --profile` with perf:

    perf record -F 997 -g -o perf.data -- java -XX:+PreserveFramePointer \\
        -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit \\
        -cp bench/target/instant/classes:engine/target/classes:JARS InstantBench DIR - profile
    perf script -i perf.data -F comm,tid,ip,sym | python3 bench/instant/perf-top.py

(BENCH_INSTANT_PHASES=bulk,ondemand limits the profile run to those phases.) Each sample is put
in a path by the engine frames on its stack (bulk copy, on-demand read, backup copier, image index
load), then in a category by the first frame, from the top, that says what the time is for.
Samples are on-CPU time only: waits for fsync or I/O do not show here (the timing file layer of
--profile shows them).
"""
import collections
import sys

PATHS = [
    ("bulk copy (InstantRestore$BulkCopy, job thread)", "InstantRestore$BulkCopy"),
    ("on-demand read (InstantRestore$View, host thread)", "InstantRestore$View"),
    ("backup copier (BackupWork)", "BackupWork"),
    ("image index load (ImageReader.open)", "ImageReader.open"),
]

CATEGORIES = [
    ("SHA-256 (intrinsic stub under DigestBase)", ["sha256", "SHA2", "DigestBase", "MessageDigest"]),
    ("new array: allocation and zeroing", ["_new_array_Java", "new_type_array", "OptoRuntime::new_array",
                                           "MemAllocator", "ObjArrayAllocator", "TypeArrayKlass"]),
    ("fsync (kernel)", ["vfs_fsync", "do_fsync", "file_write_and_wait", "ext4_sync_file", "jbd2",
                        "FileDispatcherImpl.force"]),
    ("pwrite (kernel: copy into the page cache, ext4)", ["ksys_pwrite64", "vfs_write", "FileDispatcherImpl.pwrite"]),
    ("pread (kernel: copy from the page cache)", ["ksys_pread64", "vfs_read", "FileDispatcherImpl.pread"]),
    ("page faults", ["asm_exc_page_fault"]),
    ("heap<->direct copy (NIO temporary buffer)", ["copyMemory", "IOUtil"]),
    ("zero test of a track (BackupWork.isZero)", ["isZero", "ArraysSupport.mismatch", "vectorizedMismatch"]),
    ("GC", ["G1", "GCTask", "WorkerThread"]),
]


def read_samples(stream):
    cur = None
    for line in stream:
        if not line.strip():
            if cur is not None:
                yield cur
            cur = None
            continue
        if not line[0].isspace():
            cur = []
        elif cur is not None:
            parts = line.strip().split(None, 1)
            cur.append(parts[1] if len(parts) > 1 else "?")
    if cur is not None:
        yield cur


def path_of(frames):
    text = " ".join(frames)
    for name, key in PATHS:
        if key in text:
            return name
    return None


# A stub (SHA-256, array compare, memory copy) is named only "StubRoutines": its caller says which,
# and C2 may have inlined the library frames into an engine method.
STUB_CALLERS = [
    ("SHA-256 (intrinsic stub under DigestBase)", ["MessageDigest", "DigestBase", "digestOf", "ImageWriter.putTrack"]),
    ("zero test of a track (BackupWork.isZero)", ["BackupWork.copy", "isZero", "Arrays.equals"]),
    ("heap<->direct copy (NIO temporary buffer)", ["IOUtil", "ByteBuffer.put", "copyMemory"]),
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


def main():
    by_path = collections.defaultdict(collections.Counter)
    leaves = collections.defaultdict(collections.Counter)
    for frames in read_samples(sys.stdin):
        p = path_of(frames)
        if p is None:
            continue
        by_path[p][category_of(frames)] += 1
        leaves[p][frames[0][:100] if frames else "?"] += 1
    for p, cats in by_path.items():
        total = sum(cats.values())
        print(f"{p}: {total} on-CPU samples")
        for k, v in cats.most_common(12):
            print(f"  {100 * v / total:5.1f}%  {v:6d}  {k}")
        print("  top leaf frames:")
        for k, v in leaves[p].most_common(10):
            print(f"  {100 * v / total:5.1f}%  {v:6d}  {k}")


if __name__ == "__main__":
    main()
