#!/usr/bin/env python3
"""What the file system asks for a writethrough zeroing of 32 MiB (qemu-io's `write -z`: each request
with FUA), without any server: fallocate(ZERO_RANGE) of 32 MiB on one file then fdatasync (what nbdkit
file does), against 32/3 MiB on each of four files at once, each then synced (what a 4-drive RAID 5
must do). Files of 400 MiB of random bytes in the current directory (deleted at the end); 3 rounds
of 10 requests each way. Usage: cd SCRATCH && python3 bench/nbd/zero-floor.py
See bench/notes/raid5-zero-2026-12-03g.txt."""
import ctypes, os, time, threading, sys
libc = ctypes.CDLL("libc.so.6", use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
ZR = 0x10 | 0x01
def run(files, chunk, n, sync):
    fds = [os.open(f, os.O_RDWR) for f in files]
    t0 = time.perf_counter()
    for i in range(n):
        def one(fd):
            libc.fallocate(fd, ZR, i * chunk, chunk)
            sync(fd)
        if len(fds) == 1:
            one(fds[0])
        else:
            ts = [threading.Thread(target=one, args=(fd,)) for fd in fds]
            [t.start() for t in ts]; [t.join() for t in ts]
    dt = time.perf_counter() - t0
    [os.close(fd) for fd in fds]
    return dt / n * 1000
def serial(files, chunk, n):
    fds = [os.open(f, os.O_RDWR) for f in files]
    t0 = time.perf_counter()
    for i in range(n):
        ts = [threading.Thread(target=lambda fd=fd: libc.fallocate(fd, ZR, i * chunk, chunk)) for fd in fds]
        [t.start() for t in ts]; [t.join() for t in ts]
        for fd in fds: os.fsync(fd)
    dt = time.perf_counter() - t0
    [os.close(fd) for fd in fds]
    return dt / n * 1000
for f in ["a", "b", "c", "d", "one"]:
    os.system("head -c 400M /dev/urandom > %s.img" % f)
for rep in range(3):
    os.system("for f in a b c d one; do dd if=/dev/urandom of=$f.img bs=1M count=360 conv=notrunc status=none; done; sync")
    print("one file 32M + fdatasync: %.2f ms/req" % run(["one.img"], 32 << 20, 10, os.fdatasync),
          " 4 files 10.7M + fsync parallel: %.2f" % run(["a.img","b.img","c.img","d.img"], 11141120, 10, os.fsync), end="")
    os.system("for f in a b c d; do dd if=/dev/urandom of=$f.img bs=1M count=360 conv=notrunc status=none; done; sync")
    print("  4 files fdatasync parallel: %.2f" % run(["a.img","b.img","c.img","d.img"], 11141120, 10, os.fdatasync), end="")
    os.system("for f in a b c d; do dd if=/dev/urandom of=$f.img bs=1M count=360 conv=notrunc status=none; done; sync")
    print("  4 files, fsync serial after: %.2f" % serial(["a.img","b.img","c.img","d.img"], 11141120, 10))
for f in ["a", "b", "c", "d", "one"]:
    os.remove(f + ".img")
