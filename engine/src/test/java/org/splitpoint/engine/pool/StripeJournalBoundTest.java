package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;

/**
 * The stripe journal of a degraded RAID 5 volume is a ring: 1 GiB of degraded writes (sixteen times
 * its capacity) from several writers with flushes leave its file within the ring, the status shows
 * what it holds, and once the drive is replaced and rebuilt nothing is left live in it and its file
 * is cut back to its header.
 */
class StripeJournalBoundTest {

    @TempDir
    Path dir;

    @Test
    void aDegradedVolumesJournalStaysWithinItsRingAndIsEmptyOnceTheDriveIsReplaced() throws Exception {
        Pool.create(dir, 4, 96L << 20, 64 * 1024, StorageFactory.real());
        Path journalFile = dir.resolve("meta").resolve("db.journal");
        byte[][] model;
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume("db", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            pool.admin().failDrive("d2");
            BlockDevice db = pool.device("db");
            int chunk = 1 << 20;
            int chunks = (int) (db.size() / chunk);
            model = new byte[chunks][];
            AtomicLong written = new AtomicLong();
            AtomicLong largestFile = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] writers = new Thread[3];
            for (int w = 0; w < writers.length; w++) {
                int me = w;
                writers[w] = new Thread(() -> {
                    Random r = new Random(me);
                    try {
                        while (written.addAndGet(chunk) <= (1L << 30)) {
                            int c = me + writers.length * r.nextInt(chunks / writers.length); // each writer its own chunks
                            byte[] data = new byte[chunk];
                            r.nextBytes(data);
                            // unaligned within the chunk, so some stripes are partial (read-modify-write)
                            int off = r.nextInt(4) * 4096;
                            db.write((long) c * chunk + off, ByteBuffer.wrap(data, off, chunk - off));
                            synchronized (model) {
                                byte[] m = model[c] == null ? new byte[chunk] : model[c];
                                System.arraycopy(data, off, m, off, chunk - off);
                                model[c] = m;
                            }
                            if (r.nextInt(16) == 0) {
                                db.flush();
                            }
                            largestFile.accumulateAndGet(Files.size(journalFile), Math::max);
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                writers[w].start();
            }
            for (Thread t : writers) {
                t.join();
            }
            assertThat(failure.get()).isNull();
            PoolSnapshot.StripeJournalView j = pool.snapshot().volume("db").stripeJournal();
            assertThat(j).isNotNull();
            assertThat(largestFile.get()).as("the journal file while 1 GiB was written degraded")
                    .isLessThanOrEqualTo(j.capacity());
            assertThat(j.fileBytes()).isLessThanOrEqualTo(j.capacity());
            assertThat(j.liveBytes()).isLessThanOrEqualTo(j.capacity());

            assertThat(pool.admin().replaceDrive("d2").await(120_000)).isTrue();
            db.flush();
            assertThat(pool.snapshot().volume("db").state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(pool.snapshot().volume("db").stripeJournal().liveBytes())
                    .as("live journal bytes once the volume is whole and flushed").isZero();
            assertThat(Files.size(journalFile)).as("the journal file once the volume is whole and flushed")
                    .isLessThanOrEqualTo(8192);
            assertThat(pool.admin().verify("db", false, p -> { })).isZero();
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(Files.size(journalFile)).isLessThanOrEqualTo(8192);
            BlockDevice db = pool.device("db");
            for (int c = 0; c < model.length; c++) {
                if (model[c] != null) {
                    byte[] back = new byte[model[c].length];
                    db.read((long) c * back.length, ByteBuffer.wrap(back));
                    assertThat(back).as("chunk " + c).isEqualTo(model[c]);
                }
            }
        }
    }
}
