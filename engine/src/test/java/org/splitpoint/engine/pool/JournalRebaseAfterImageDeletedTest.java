package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A journal that stopped protecting its volume gets a new base from a backup the pool starts by
 * itself. Once it protects nothing, its old base is no one's need, and 'backup delete' lets it go;
 * that image was the volume's last backup, so the backup the watch started was an incremental on
 * it and was refused ('take a --full backup') every minute, a critical event each time, and the
 * journal never protected the volume again. Without its last backup in the store, the backup
 * that gives the journal a base is a full one.
 */
class JournalRebaseAfterImageDeletedTest {

    @TempDir
    Path tmp;

    @Test
    void aJournalWhoseLastBackupWasDeletedGetsAFullBackupAsItsNewBase() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        JournaledPools.journaled(dir, store);
        String oldBase;
        try (Pool pool = Pool.open(dir)) {
            oldBase = pool.journalRecords.get("v").base();
            assertThat(pool.backups().lastBackup("v").image()).isEqualTo(oldBase);
            // the journal stops protecting v (what a write it left out records), and the pool closes
            // before the backup that would give it a new base has run
            synchronized (pool.journalLock) {
                PoolConfig.JournalRecord rec = pool.journalRecords.get("v");
                pool.journalRecords.put("v", rec.based(null, rec.shippedThrough()));
                pool.persist();
            }
        }
        DirectoryStore.open(store, StorageFactory.real(), false).delete(oldBase); // no journal builds on it now
        byte[] expect;
        try (Pool pool = Pool.open(dir)) {
            byte[] b = new byte[2 * JournaledPools.TRACK];
            new Random(4).nextBytes(b);
            pool.device("v").write(9L * JournaledPools.TRACK, ByteBuffer.wrap(b));
            pool.device("v").flush();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!pool.journals().status("v").protecting() && System.nanoTime() < deadline) {
                Thread.sleep(50); // the watch looks every second
            }
            assertThat(pool.journals().status("v").protecting()).as("the journal protects v again").isTrue();
            assertThat(pool.journals().status("v").base()).isNotEqualTo(oldBase);
            pool.awaitJobs(null);
            pool.device("v").flush();
            expect = TestPools.readAll(pool.volume("v"));
            TestPools.assertSameBytes(JournaledPools.chainPlusJournal(pool, "v"), expect, "the new base plus the journal");
        }
    }
}
