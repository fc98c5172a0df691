package org.splitpoint.engine.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * A DeltaLog's compaction (a new generation of its last file, renamed over it) while appends go on
 * from other threads: the index reads back the newest bytes of every position, before and after a
 * reopen, the file holds about the distinct bytes, and a frozen log's pieces stay readable.
 */
class DeltaLogCompactionTest {

    private static final int REGION = 64 * 1024;

    @TempDir
    Path tmp;

    private final StorageFactory s = StorageFactory.real();

    private DeltaLog.Generations generations(Path file) {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        return new DeltaLog.Generations() {
            @Override
            public StorageFile create(int segment) throws IOException {
                s.delete(next);
                return s.create(next);
            }

            @Override
            public void install(int segment) throws IOException {
                s.rename(next, file);
            }

            @Override
            public void sync() throws IOException {
                s.syncDirectory(file.getParent());
            }

            @Override
            public void discard(int segment) throws IOException {
                s.delete(next);
            }
        };
    }

    @Test
    void appendsBesideCompactionsReadBackTheNewestBytes() throws Exception {
        Path file = tmp.resolve("log");
        DeltaLog log = DeltaLog.open(List.of(s.create(file)), List.of(DeltaLog.UNBOUNDED), null, generations(file));
        int writers = 3;
        byte[] model = new byte[writers * REGION];
        boolean[] held = new boolean[model.length];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                Random r = new Random(id);
                try {
                    for (int k = 0; k < 3000; k++) {
                        int len = 1 + r.nextInt(8192);
                        int at = id * REGION + r.nextInt(REGION - len);
                        byte[] d = new byte[len];
                        r.nextBytes(d);
                        synchronized (model) { // (each writer its own region: the model's order is its own)
                            System.arraycopy(d, 0, model, at, len);
                            java.util.Arrays.fill(held, at, at + len, true);
                        }
                        log.append(at, ByteBuffer.wrap(d));
                        if (k % 50 == 0) {
                            log.force();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        AtomicInteger switched = new AtomicInteger();
        while (threads.stream().anyMatch(Thread::isAlive)) {
            if (log.compact()) {
                switched.incrementAndGet();
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(switched.get()).as("compactions beside the appends").isGreaterThan(2);
        log.force();
        assertSame(log, model, held, "in memory");
        assertThat(log.compact()).isTrue();
        assertSame(log, model, held, "compacted once more");
        assertThat(Files.size(file)).as("the file after a compaction").isLessThan(2L * model.length);
        log.close();
        assertThat(tmp.resolve("log.next")).doesNotExist();
        DeltaLog again = DeltaLog.open(List.of(s.open(file)), List.of(DeltaLog.UNBOUNDED), null, generations(file));
        assertSame(again, model, held, "reopened");
        again.close();
    }

    @Test
    void aFrozenLogIsNotCompactedAndItsPiecesStayReadable() throws Exception {
        Path file = tmp.resolve("frozen");
        DeltaLog log = DeltaLog.open(List.of(s.create(file)), List.of(DeltaLog.UNBOUNDED), null, generations(file));
        byte[] last = null;
        for (int i = 0; i < 20; i++) {
            last = new byte[4096];
            new Random(i).nextBytes(last);
            log.append(8192, ByteBuffer.wrap(last));
        }
        log.freeze();
        List<DeltaLog.Piece> pieces = log.pieces();
        assertThat(log.compact()).as("a compaction of a frozen log").isFalse();
        assertThat(log.read(pieces.get(0))).isEqualTo(last);
        log.thaw();
        assertThat(log.compact()).isTrue();
        assertThat(log.read(log.pieces().get(0))).isEqualTo(last);
        log.close();
    }

    private static void assertSame(DeltaLog log, byte[] model, boolean[] held, String what) throws Exception {
        byte[] got = new byte[model.length];
        log.overlay(0, ByteBuffer.wrap(got));
        for (int i = 0; i < model.length; i++) {
            if (held[i] && got[i] != model[i]) {
                throw new AssertionError(what + ": position " + i + " reads " + got[i] + ", the newest write was " + model[i]);
            }
        }
        long n = 0;
        for (boolean h : held) {
            n += h ? 1 : 0;
        }
        assertThat(log.heldPositions()).as(what + ": positions held").isEqualTo(n);
        for (DeltaLog.Piece p : log.pieces()) {
            byte[] b = log.read(p);
            assertThat(b).as(what).isEqualTo(java.util.Arrays.copyOfRange(model, (int) p.start(), (int) p.end()));
        }
    }
}
