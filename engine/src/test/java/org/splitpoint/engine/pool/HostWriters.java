package org.splitpoint.engine.pool;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.splitpoint.engine.AckOracle;

/**
 * Host writers of the crash tests: threads writing (now and then zeroing), flushing and reading volume "v" through its
 * host view, each in its own region (overlapping itself often), recorded in a per-byte oracle of
 * acknowledged writes; a read that returns other bytes than written is a failure.
 */
public final class HostWriters {
    private final int writers;
    private final int track;
    public final AckOracle model;
    public final AtomicLong clock = new AtomicLong();
    public final AtomicReference<String> failure = new AtomicReference<>();
    public final List<Thread> threads = new ArrayList<>();
    /** Oracles of snapshots taken meanwhile: a flush acknowledges their writes too. */
    public final List<AckOracle> alsoFlushed = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int spanTracks = 12;
    private String volume = "v";
    /** Flushes that fail for want of space are expected (a drive's force fails now and then): they acknowledge nothing. */
    private volatile boolean flushesMayFail;
    /** Flushes that failed so (see {@link #flushesMayFail}). */
    public final AtomicLong failedFlushes = new AtomicLong();
    /** Writes and reads refused so (see {@link #flushesMayFail}). */
    public final AtomicLong refused = new AtomicLong();
    /** Reads that showed a write not yet flushed gone (see {@link #flushesMayFail}). */
    public final AtomicLong staleReads = new AtomicLong();

    public HostWriters(int writers, int track, byte[] initial) {
        this.writers = writers;
        this.track = track;
        model = new AckOracle(initial);
    }

    /** Writes land within the first {@code tracks} tracks of each writer's region (12 by default: overlapping often). */
    public HostWriters span(int tracks) {
        spanTracks = tracks;
        return this;
    }

    /** The writers write, flush and read {@code name} instead of v (a BCV while its pair is split). */
    public HostWriters on(String name) {
        volume = name;
        return this;
    }

    /**
     * A flush that fails for want of space (a drive's force did: {@code NoSpaceException} or its
     * {@code WritesLostException}) acknowledges nothing and the writer goes on; so do a write and a
     * read refused so (no drive known to hold what one lost), and a read must show each byte as an
     * acknowledged write or a later one left it (not as the writer last wrote it: a failing force's
     * dropped pages show until its loss is counted). Any other failure still fails the writers.
     */
    public HostWriters flushesMayFail() {
        flushesMayFail = true;
        return this;
    }

    /** True when {@code e} or a cause is the file system's want of space. */
    static boolean noSpace(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.splitpoint.engine.io.NoSpaceException) {
                return true;
            }
        }
        return false;
    }

    public void start(Pool pool, long seed, int writes, java.util.function.BooleanSupplier cut) {
        int size = model.size();
        for (int w = 0; w < writers; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                Random rnd = new Random(seed * 31 + id);
                Random zeroRnd = new Random(seed * 37 + id);
                int region = size / writers;
                try {
                    for (int k = 0; k < writes && !cut.getAsBoolean(); k++) {
                        // now and then a write large enough to go to the journal's legs and
                        // the members on several threads at once
                        int len = rnd.nextInt(8) == 0 ? 64 * 1024 + rnd.nextInt(16 * 1024) : 1 + rnd.nextInt(2 * track);
                        int off = id * region + rnd.nextInt(Math.min(region - len, spanTracks * track)); // overlaps often
                        int what = rnd.nextInt(6);
                        if (what < 3) {
                            byte[] d = new byte[len];
                            rnd.nextBytes(d);
                            // a write of zeros now and then, as hosts zero (decided by a stream of its
                            // own: the writes, flushes and reads stay those of the seed)
                            boolean zeroing = what == 2 && zeroRnd.nextInt(3) == 0;
                            if (zeroing) {
                                java.util.Arrays.fill(d, (byte) 0);
                            }
                            int i = model.wrote(off, d, Long.MAX_VALUE);
                            try {
                                if (zeroing) {
                                    pool.device(volume).writeZeroes(off, len, zeroRnd.nextBoolean());
                                } else {
                                    pool.device(volume).write(off, ByteBuffer.wrap(d));
                                }
                            } catch (java.io.IOException e) {
                                // refused over writes a drive lost that no other drive is known to hold
                                // (RAID 5 with a drive out): never returned, so never acknowledged
                                if (!flushesMayFail || !noSpace(e)) {
                                    throw e;
                                }
                                refused.incrementAndGet();
                                continue;
                            }
                            model.returned(i, clock.incrementAndGet());
                        } else if (what == 3) {
                            long start = clock.incrementAndGet();
                            try {
                                pool.device(volume).flush();
                            } catch (java.io.IOException e) {
                                if (!flushesMayFail || !noSpace(e)) {
                                    throw e;
                                }
                                failedFlushes.incrementAndGet();
                                continue; // acknowledges nothing
                            }
                            model.flushed(start);
                            alsoFlushed.forEach(o -> o.flushed(start));
                        } else {
                            byte[] got = new byte[len];
                            try {
                                pool.device(volume).read(off, ByteBuffer.wrap(got));
                            } catch (java.io.IOException e) {
                                // a read refused over writes a drive lost, which no other drive is known to hold
                                if (!flushesMayFail || !noSpace(e)) {
                                    throw e;
                                }
                                refused.incrementAndGet();
                                continue;
                            }
                            if (flushesMayFail) {
                                // a force failing for want of space drops a write's pages before its loss is
                                // counted, and a host's read does not wait for it (RaidVolume.readUnspoiled's
                                // unsettled form): it may show a write not yet flushed gone, never an acknowledged one
                                if (!java.util.Arrays.equals(got, model.currentRange(off, len))) {
                                    staleReads.incrementAndGet();
                                }
                                String bad = model.check(off, got);
                                if (bad != null && !cut.getAsBoolean()) {
                                    failure.compareAndSet(null, "a read at " + off + " returned what no acknowledged write allows: " + bad);
                                }
                            } else if (!java.util.Arrays.equals(got, model.currentRange(off, len)) && !cut.getAsBoolean()) {
                                failure.compareAndSet(null, "a read at " + off + " returned other bytes than written");
                            }
                        }
                    }
                } catch (Exception e) {
                    if (!cut.getAsBoolean() && failure.compareAndSet(null, e.toString())) {
                        e.printStackTrace(); // where it failed, in the test's output
                    }
                }
            }, "writer-" + w);
            threads.add(t);
            t.start();
        }
    }

    /**
     * Brings d2 back ('drive online', its return on its own thread) while these writers make
     * {@code writes} writes each beside it, and waits for the return to end (a cut ends both).
     */
    public org.splitpoint.engine.job.Job returnBeside(Pool pool, long seed, int writes, java.util.function.BooleanSupplier cut)
            throws Exception {
        return returnBeside(pool, "d2", seed, writes, cut);
    }

    /** As above, bringing {@code drive} back. */
    public org.splitpoint.engine.job.Job returnBeside(Pool pool, String drive, long seed, int writes,
                                                     java.util.function.BooleanSupplier cut) throws Exception {
        org.splitpoint.engine.job.Job back = pool.service().online(drive);
        start(pool, seed, writes, cut);
        join();
        back.await(30_000);
        return back;
    }

    /** Waits up to {@code millis} for the writers; false when one is still alive (they stay listed). */
    public boolean join(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        for (Thread t : threads) {
            t.join(Math.max(1, until - System.currentTimeMillis()));
            if (t.isAlive()) {
                return false;
            }
        }
        threads.clear();
        return true;
    }

    public void join() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
        threads.clear();
    }

    /** Closes {@code pool} cleanly: that acknowledges every write that returned before. */
    public void closed(Pool pool) throws Exception {
        long start = clock.incrementAndGet();
        pool.close();
        model.flushed(start);
        alsoFlushed.forEach(o -> o.flushed(start));
    }

    public void flushed(Pool pool) throws Exception {
        long start = clock.incrementAndGet();
        pool.device(volume).flush();
        model.flushed(start);
        alsoFlushed.forEach(o -> o.flushed(start));
    }
}
