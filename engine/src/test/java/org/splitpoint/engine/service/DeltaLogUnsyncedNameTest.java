package org.splitpoint.engine.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * A compaction's new generation renamed over the log's file, its directory sync failed: the name is
 * not durable, and a power cut may give the file's name back to the old generation, without any
 * record appended since. Nothing may be acknowledged until a sync succeeds after that rename.
 * Power cuts by the FaultInjector: unforced writes lost, names not synced undone or not (seeds).
 */
class DeltaLogUnsyncedNameTest {

    @TempDir
    Path tmp;

    /** The owner's files of a log at {@code file}; its directory syncs as the test says. */
    private static final class Files implements DeltaLog.Generations {
        final StorageFactory s;
        final Path file;
        final Path next;
        /** The next sync fails (the compaction's). */
        volatile boolean failNext;
        /** The next sync syncs, then waits here before it returns (a force's sync, held past a compaction). */
        volatile CountDownLatch holdAfter;
        final CountDownLatch inHeldSync = new CountDownLatch(1);
        volatile int syncs;
        volatile CountDownLatch failed = new CountDownLatch(1);

        Files(StorageFactory s, Path file) {
            this.s = s;
            this.file = file;
            this.next = file.resolveSibling(file.getFileName() + ".next");
        }

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
            syncs++;
            if (failNext) {
                failNext = false;
                failed.countDown();
                throw new IOException("Input/output error (injected) on fsync of directory");
            }
            s.syncDirectory(file.getParent());
            CountDownLatch hold = holdAfter;
            if (hold != null) {
                holdAfter = null;
                inHeldSync.countDown();
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void discard(int segment) throws IOException {
            s.delete(next);
        }
    }

    private static ByteBuffer filled(int n, int b) {
        byte[] d = new byte[n];
        java.util.Arrays.fill(d, (byte) b);
        return ByteBuffer.wrap(d);
    }

    /**
     * A force's directory sync for an earlier failed one ran as a second compaction renamed its
     * generation and failed its own sync: the force's sync, begun before that rename, said nothing
     * of it, yet it took the rename for synced. The next force then synced nothing and acknowledged
     * a record appended to the new generation, whose name a power cut could take away.
     */
    @Test
    void aSyncBegunBeforeACompactionsRenameDoesNotMakeThatRenameDurable() throws Exception {
        for (long seed = 1; seed <= 12; seed++) {
            Path dir = tmp.resolve("s" + seed);
            java.nio.file.Files.createDirectories(dir);
            FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, seed)
                    .unforcedWritesLost();
            Path file = dir.resolve("log");
            Files f = new Files(inj, file);
            DeltaLog log = DeltaLog.open(List.of(inj.create(file)), List.of(DeltaLog.UNBOUNDED), null, f);
            inj.syncDirectory(dir);
            log.append(0, filled(4096, 0x11));
            log.append(0, filled(4096, 0x11)); // (a dead record: something to compact)
            log.force();

            f.failNext = true; // a first compaction: its rename's sync fails
            assertThat(log.compact()).isTrue();

            CountDownLatch release = new CountDownLatch(1);
            f.holdAfter = release;
            AtomicReference<Throwable> forced = new AtomicReference<>();
            Thread flush = new Thread(() -> {
                try {
                    log.force(); // syncs for the first compaction's rename, held after its fsync
                } catch (Throwable e) {
                    forced.set(e);
                }
            }, "flush");
            flush.start();
            assertThat(f.inHeldSync.await(30, TimeUnit.SECONDS)).isTrue();
            log.append(0, filled(4096, 0x11)); // (dead again)
            f.failed = new CountDownLatch(1);
            f.failNext = true; // a second compaction, renamed after that fsync, its own sync failing
            AtomicReference<Object> compacted = new AtomicReference<>();
            Thread compaction = new Thread(() -> { // (it closes the file it replaced once the force let it go)
                try {
                    compacted.set(log.compact());
                } catch (Throwable e) {
                    compacted.set(e);
                }
            }, "compaction");
            compaction.start();
            assertThat(f.failed.await(30, TimeUnit.SECONDS)).as("the second compaction's sync").isTrue();
            release.countDown();
            flush.join();
            compaction.join();
            assertThat(forced.get()).isNull();
            assertThat(compacted.get()).isEqualTo(true);

            log.append(0, filled(4096, 0x22));
            int before = f.syncs;
            log.force(); // acknowledges 0x22
            assertThat(f.syncs).as("seed " + seed + ": syncs by the force after the second rename").isGreaterThan(before);

            inj.crash();
            DeltaLog again = DeltaLog.open(List.of(StorageFactory.real().open(file)), List.of(DeltaLog.UNBOUNDED), null);
            byte[] got = new byte[4096];
            again.overlay(0, ByteBuffer.wrap(got));
            again.close();
            assertThat(got[0]).as("seed " + seed + ": the acknowledged record after a power cut").isEqualTo((byte) 0x22);
        }
    }

    /**
     * A force that finds the rename not yet durable and cannot sync it fails, saying what it is:
     * the name of the compacted file, not a lost record; the records are whole, and the next force
     * whose sync succeeds acknowledges them.
     */
    @Test
    void aForceWhoseSyncFailsSaysTheNameIsNotDurableAndTheNextOneSucceeds() throws Exception {
        Path file = tmp.resolve("log");
        StorageFactory s = StorageFactory.real();
        Files f = new Files(s, file);
        DeltaLog log = DeltaLog.open(List.of(s.create(file)), List.of(DeltaLog.UNBOUNDED), null, f);
        log.append(0, filled(4096, 0x11));
        log.append(0, filled(4096, 0x11));
        log.force();
        f.failNext = true;
        assertThat(log.compact()).isTrue();
        log.append(4096, filled(4096, 0x22));
        f.failNext = true;
        assertThatThrownBy(log::force).isInstanceOf(DeltaLog.NameNotDurableException.class)
                .hasMessageContaining("not durable").hasMessageNotContaining("lost");
        log.force();
        byte[] got = new byte[8192];
        log.overlay(0, ByteBuffer.wrap(got));
        assertThat(got[0]).isEqualTo((byte) 0x11);
        assertThat(got[4096]).isEqualTo((byte) 0x22);
        log.close();
    }
}
