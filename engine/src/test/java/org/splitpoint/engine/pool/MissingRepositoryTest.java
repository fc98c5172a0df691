package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A repository window's volume as opens after it see it: the members were not written in the
 * window, so its writes are in the repository alone. A read-only open read the members only (the
 * volume as it was when the window opened); a writable open whose repository file in meta/ was
 * gone made an empty one and served the old bytes without a word.
 */
class MissingRepositoryTest {

    private static final int BLOCK = 16 * 1024;

    @TempDir
    Path tmp;

    /** RAID 5 over d1..d3 and no SPARE (the repository is meta/v.repo): block 0 0x11, then 0x22 in the window. */
    private Path inRepositoryWindow() throws Exception {
        Path a = tmp.resolve("p");
        TestPools.create(a, Layout.RAID5, 3, 4L << 20, 64 * 1024);
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            ServicePools.awaitJobs(p);
            v.write(0, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x22)));
            v.flush();
        }
        return a;
    }

    @Test
    void aReadOnlyOpenReadsTheWindowsWrites() throws Exception {
        Path a = inRepositoryWindow();
        try (Pool p = Pool.open(a, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            assertThat(Arrays.mismatch(ServicePools.read(p.volume("v"), 0, BLOCK), TestPools.filled(BLOCK, 0x22)))
                    .as("block 0 as hosts wrote it in the window").isNegative();
        }
    }

    @Test
    void aMissingRepositoryIsSaidAtOpen() throws Exception {
        Path a = inRepositoryWindow();
        Files.delete(a.resolve("meta").resolve("v.repo"));
        try (Pool p = Pool.open(a)) {
            assertThat(p.openNotes()).anyMatch(n -> n.contains("repository of d2's service window (meta/v.repo) is missing")
                    && n.contains("writes made to volume v since"));
        }
        assertThat(org.splitpoint.engine.event.EventBus.readLog(a.resolve("meta").resolve("events.jsonl"), 500))
                .anyMatch(e -> e.message().contains("meta/v.repo) is missing"));
    }

    /**
     * The repository made again at the open that found it missing takes the window's writes from
     * then on; its name was not synced into meta/, so a power cut after an acknowledged (flushed)
     * write took the file, and the write, away.
     */
    @Test
    void aRepositoryMadeAgainKeepsItsAcknowledgedWritesAcrossAPowerCut() throws Exception {
        Path a = inRepositoryWindow();
        Files.delete(a.resolve("meta").resolve("v.repo"));
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(StorageFactory.real())
                .unforcedWritesLost().powerCutAfterWrite(0, 0, 1);
        Pool pool = Pool.open(a, inj);
        try {
            RaidVolume v = pool.volume("v");
            v.write(BLOCK, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x33)));
            v.flush(); // acknowledged
            inj.cutNow();
            inj.crash();
        } finally {
            pool.abandon();
        }
        try (Pool p = Pool.open(a)) {
            assertThat(Arrays.mismatch(ServicePools.read(p.volume("v"), BLOCK, BLOCK), TestPools.filled(BLOCK, 0x33)))
                    .as("block 1, written and flushed in the window after the repository was made again").isNegative();
        }
    }
}
