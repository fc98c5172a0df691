package org.splitpoint.engine.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * Host flushers and a window's own forces on one ring, side by side, while forces fail now and
 * then with their error held back after the pages were dropped (FaultInjector FORCE_FAILED: the
 * moment Linux has marked the pages clean and no fsync has reported the error yet), then a power
 * cut. Linux reports a writeback error to one fsync only: a force that succeeded beside the
 * failing one, having written nothing, acknowledged a host's flush over the dropped entry
 * (RingLog's note). Each run has three openings of the ring (adopted, as a service window's log
 * is, with forced marks), each ended by a power cut at a random write (unforced writes lost, a
 * torn write for odd seeds). After every opening: every entry a force or forceEntry acknowledged,
 * in any opening, reads back with its bytes, and the replay is never short of its mark (a power
 * cut is no damage). Three host threads append and force (forceEntry mostly, force sometimes: a
 * service window's log); the window's thread appends and forces with force() or, as its end
 * does, forceLettingGo() (acknowledging nothing); a fault thread makes the next force fail a few
 * times per opening, its error held back 1 to 30 ms.
 *
 * <p>Default 40 runs (about 10 s), -Dsplitpoint.longTests=true 300 (about 100 s). One run:
 * -Dsplitpoint.ringRace=SEED.
 */
class RingLogForceRaceTest {

    private static final long CAPACITY = 64L << 20; // never wraps: a data log's file of no fixed size
    private static final int HEADER_MAGIC = 0x5EED1111;
    private static final int ENTRY_MAGIC = 0x5EED2222;

    @TempDir
    Path tmp;

    @Test
    void noAcknowledgedEntryIsLostWhenForcesFailBesideOthers() throws Exception {
        String one = System.getProperty("splitpoint.ringRace");
        int runs = Boolean.getBoolean("splitpoint.longTests") ? 300 : 40;
        long from = one == null ? 1 : Long.parseLong(one);
        long to = one == null ? runs : from;
        for (long seed = from; seed <= to; seed++) {
            run(seed);
        }
    }

    private void run(long seed) throws Exception {
        Path dir = tmp.resolve("run" + seed);
        java.nio.file.Files.createDirectories(dir);
        Path f = dir.resolve("ring");
        Random rnd = new Random(seed);
        Map<Long, byte[]> acknowledged = new ConcurrentHashMap<>();
        for (int opening = 1; opening <= 3; opening++) {
            String where = "seed " + seed + " opening " + opening;
            FaultInjector inj = new FaultInjector(StorageFactory.real())
                    .powerCutAfterWrite(60 + rnd.nextInt(400), seed % 2 == 1 ? 7 : 0, seed * 10 + opening)
                    .unforcedWritesLost();
            RingLog log = new RingLog(opening == 1 ? inj.create(f) : inj.open(f), CAPACITY, HEADER_MAGIC, ENTRY_MAGIC)
                    .keepForcedMarks();
            if (opening == 1) {
                inj.syncDirectory(dir);
            }
            check(log.readLive(), log, acknowledged, where + " (at its start)");
            log.adopt();
            log.dropBeyondHead();
            session(inj, f, log, rnd, acknowledged);
            inj.cutNow();
            inj.crash();
        }
        RingLog last = new RingLog(StorageFactory.real().open(f), CAPACITY, HEADER_MAGIC, ENTRY_MAGIC).keepForcedMarks();
        try {
            check(last.readLive(), last, acknowledged, "seed " + seed + " after the last cut");
        } finally {
            last.close();
        }
    }

    private static void check(List<RingLog.Entry> back, RingLog log, Map<Long, byte[]> acknowledged, String where) {
        Map<Long, byte[]> read = new java.util.HashMap<>();
        for (RingLog.Entry e : back) {
            read.put(e.seq(), e.payload());
        }
        java.util.TreeSet<Long> missing = new java.util.TreeSet<>();
        java.util.TreeSet<Long> changed = new java.util.TreeSet<>();
        for (Map.Entry<Long, byte[]> a : acknowledged.entrySet()) {
            byte[] got = read.get(a.getKey());
            if (got == null) {
                missing.add(a.getKey());
            } else if (!java.util.Arrays.equals(got, a.getValue())) {
                changed.add(a.getKey());
            }
        }
        assertThat(missing).as("%s: acknowledged entries not read back (read back: %s)", where, ranges(read.keySet())).isEmpty();
        assertThat(changed).as("%s: acknowledged entries read back with other bytes", where).isEmpty();
        assertThat(log.shortOfMark()).as("%s: a power cut made the replay look short of its mark", where).isZero();
    }

    /** Sequence numbers as ranges ("0-3, 5"), for a message. */
    private static String ranges(java.util.Set<Long> seqs) {
        StringBuilder b = new StringBuilder();
        long start = -1;
        long last = -2;
        for (long s : new java.util.TreeSet<>(seqs)) {
            if (s != last + 1) {
                if (start >= 0) {
                    b.append(start == last ? "" + start : start + "-" + last).append(", ");
                }
                start = s;
            }
            last = s;
        }
        if (start >= 0) {
            b.append(start == last ? "" + start : start + "-" + last);
        }
        return b.toString();
    }

    /** One opening's writers, window and faults, until the power cut stops them (or 400 ms). */
    private static void session(FaultInjector inj, Path f, RingLog log, Random rnd, Map<Long, byte[]> acknowledged)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong tag = new AtomicLong(rnd.nextLong());
        inj.hold(FaultInjector.Op.FORCE_FAILED, p -> p.equals(f), t -> true, 1 + rnd.nextInt(30));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean window = i == 3;
            long threadSeed = rnd.nextLong();
            threads.add(new Thread(() -> {
                Random r = new Random(threadSeed);
                try {
                    while (!stop.get() && !inj.isCut()) {
                        byte[] payload = new byte[64 + r.nextInt(6000)];
                        r.nextBytes(payload);
                        ByteBuffer.wrap(payload).putLong(0, tag.incrementAndGet()); // no two alike
                        long seq;
                        try {
                            seq = log.append(payload);
                        } catch (IOException e) {
                            continue; // the power went (the loop ends), or a write failed: nothing taken
                        }
                        if (seq < 0) {
                            return;
                        }
                        int how = r.nextInt(10);
                        try {
                            if (window && how < 5) {
                                log.forceLettingGo(); // the window's end: acknowledges nothing
                            } else if (window || how < 3) {
                                log.force();
                                acknowledged.put(seq, payload);
                            } else {
                                log.forceEntry(seq);
                                acknowledged.put(seq, payload);
                            }
                        } catch (IOException e) {
                            // this force failed or refused a lost entry: nothing acknowledged
                        }
                        if (r.nextInt(4) == 0) {
                            Thread.sleep(r.nextInt(3));
                        }
                    }
                } catch (Throwable e) {
                    unexpected.add(e);
                }
            }, window ? "window" : "host-" + i));
        }
        long faultSeed = rnd.nextLong();
        Thread faults = new Thread(() -> {
            Random r = new Random(faultSeed);
            try {
                for (int n = 0; n < 3 && !stop.get() && !inj.isCut(); n++) {
                    Thread.sleep(5 + r.nextInt(60));
                    inj.failForces(p -> p.equals(f), 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "faults");
        threads.add(faults);
        for (Thread t : threads) {
            t.start();
        }
        long until = System.currentTimeMillis() + 400;
        while (!inj.isCut() && System.currentTimeMillis() < until) {
            Thread.sleep(2);
        }
        inj.cutNow();
        stop.set(true);
        inj.releaseHolds();
        for (Thread t : threads) {
            t.join(30_000);
            assertThat(t.isAlive()).as("%s ended", t.getName()).isFalse();
        }
        assertThat(unexpected).isEmpty();
    }
}
