package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * 'volume journal disable' and 'enable' whose pool.json write fails (its file system full) change
 * nothing: memory keeps saying what pool.json says. A disable unhooked the journal before its
 * write, so the writes after the failed disable went into no journal while pool.json still named
 * the journal and its base: base + journal no longer made the volume, and a rebuild from them after
 * a crash would miss those acknowledged writes. An enable left a journal record and ONLINE journal
 * drives in memory with no journal attached.
 */
class UnrecordedJournalVerbsTest {

    private static final int TRACK = JournaledPools.TRACK;

    @TempDir
    Path tmp;

    @Test
    void aDisableThatCannotBeRecordedKeepsJournalingEveryWrite() throws Exception {
        Path dir = tmp.resolve("pool");
        JournaledPools.journaled(dir, tmp.resolve("store"));
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, disk);
        try {
            byte[] a = new byte[3 * TRACK];
            new Random(2).nextBytes(a);
            pool.device("v").write(5L * TRACK, ByteBuffer.wrap(a));
            pool.device("v").flush();
            disk.diskFullAfter(TestPools::poolJson, 0);
            assertThatThrownBy(() -> pool.journals().disable("v")).isInstanceOf(IOException.class);
            assertThat(pool.journals().status("v").protecting()).as("the journal, as pool.json has it").isTrue();
            byte[] b = new byte[2 * TRACK];
            new Random(3).nextBytes(b);
            pool.device("v").write(20L * TRACK, ByteBuffer.wrap(b)); // acknowledged after the failed disable
            pool.device("v").flush();
            TestPools.assertSameBytes(JournaledPools.chainPlusJournal(pool, "v"), TestPools.readAll(pool.volume("v")),
                    "the journal's base plus its entries, after the failed disable");
            disk.processCrash();
        } finally {
            pool.abandon();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.journals().status("v").protecting()).isTrue();
            TestPools.assertSameBytes(JournaledPools.chainPlusJournal(p, "v"), TestPools.readAll(p.volume("v")),
                    "the journal's base plus its entries, after the crash");
            p.journals().disable("v"); // and once pool.json can be written, the disable goes ahead
            assertThat(p.journals().volumes()).isEmpty();
        }
    }

    @Test
    void anEnableThatCannotBeRecordedChangesNothing() throws Exception {
        enableFailsAndChangesNothing(TestPools::poolJson);
    }

    /**
     * An enable whose base backup cannot start (the store's file system full) changes nothing
     * either: the enable is the journal and the backup that gives it its base. It failed with the
     * store's error while the journal stayed on record, its drives taken.
     */
    @Test
    void anEnableWhoseBaseBackupCannotStartChangesNothing() throws Exception {
        enableFailsAndChangesNothing(p -> p.startsWith(tmp.resolve("store").resolve("images")));
    }

    /**
     * 'volume journal enable' of v, its file system full where {@code full} says: refused with an
     * I/O error, no journal in memory, the drives SPARE; once space is freed it goes ahead, also
     * across a reopen.
     */
    private void enableFailsAndChangesNothing(java.util.function.Predicate<Path> full) throws Exception {
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, TRACK);
        Path store = tmp.resolve("store");
        Files.createDirectories(store);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            disk.diskFullAfter(full, 0);
            assertThatThrownBy(() -> pool.journals().enable("v", legs, store, 900 * 1024, 0))
                    .isInstanceOf(IOException.class);
            assertThat(pool.journals().volumes()).as("journals in memory").isEmpty();
            for (String leg : legs) {
                assertThat(pool.snapshot().drive(leg).state()).as(leg).isEqualTo(DriveState.SPARE);
            }
            disk.diskFreed();
            assertThat(pool.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
    }
}
