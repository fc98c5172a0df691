package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;

/**
 * A backup into the journal's store that ran while the journal was disabled and enabled again.
 * Its instant was taken on the journal of before; a write made between that instant and the new
 * journal's start is in neither the image nor the new journal. The backup's end made it the new
 * journal's base all the same (and retired the new journal's entries below the old journal's
 * entry number), so a rebuild from backup + journal lost the write. (That backup's end no longer
 * makes such a base; and an enable while a backup of the volume runs is refused up front now: it
 * recorded the journal, then its own base backup was refused, leaving the pool half-enabled.)
 */
class JournalReenableBackupTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aBackupWhoseInstantCameBeforeTheJournalWasEnabledIsNotItsBase() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        List<String> legs;
        try (Pool pool = Pool.open(dir)) {
            legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            Files.createDirectories(store);
            assertThat(pool.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
        }
        byte[] expect;
        try (Pool pool = Pool.open(dir)) {
            byte[] d = new byte[64 * 1024];
            new Random(2).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d)); // journal entries, so the old journal's numbers run ahead
            pool.device("v").flush();
            Job backup = pool.backups().backup("v", store, false, TRACK); // a track a second
            pool.journals().disable("v");
            new Random(3).nextBytes(d);
            pool.device("v").write(4 * TRACK, ByteBuffer.wrap(d)); // after the backup's instant, before the new journal
            pool.device("v").flush();
            expect = TestPools.readAll(pool.volume("v"));
            // its own base backup would be refused (one runs): the enable is, before it records anything
            Throwable refused = catchThrowable(() -> pool.journals().enable("v", legs, store, 900 * 1024, 0));
            assertThat(pool.journals().volumes()).as("journaled volumes after the refusal").isEmpty();
            for (String leg : legs) {
                assertThat(pool.snapshot().drive(leg).state()).isEqualTo(DriveState.SPARE);
            }
            try (Pool ro = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), PoolOptions.READ_ONLY)) {
                assertThat(ro.journals().volumes()).as("pool.json").isEmpty();
            }
            assertThat(refused).isInstanceOf(PoolException.class).hasMessage("a backup of v is running (job backup-v);"
                    + " enable its journal once it ended (the journal's base is a backup taken after it is enabled)");
            backup.setThrottle(0);
            assertThat(backup.await(60_000)).isTrue();
            assertThat(pool.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
        JournaledPools.assertRebuildsFromTheJournalsBase(dir, expect);
    }
}
