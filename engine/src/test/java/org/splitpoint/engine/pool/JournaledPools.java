package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;

/** Pools with a staged journal that fills up, for the tests of what a write does then, and the events they say. */
final class JournaledPools {

    static final int TRACK = 4096;
    static final long DRIVE = 1 << 20;

    private JournaledPools() {
    }

    /**
     * A RAID 5 volume v of three 1 MiB drives full of random bytes, journaled on two added drives
     * of 1 MiB with --max-size 900K, based in {@code store} (made here); returns the journal's drives.
     */
    static List<String> journaled(Path dir, Path store) throws Exception {
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            Files.createDirectories(store);
            assertThat(pool.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
            return legs;
        }
    }

    /**
     * Host writes of whole tracks of random bytes past the first 128 (512 KiB) until a write of
     * {@code length} bytes does not fit in v's journal: the first tracks stay for the write that
     * finds it full.
     */
    static void fillPastTheFirstTracks(Pool pool, int length, long seed) throws Exception {
        JournalAdmin.Open o = pool.journals.get("v");
        Random rnd = new Random(seed);
        int tracks = (int) (pool.volume("v").size() / TRACK);
        while (o.journal.fits(length)) {
            byte[] d = new byte[TRACK];
            rnd.nextBytes(d);
            pool.device("v").write((long) (128 + rnd.nextInt(tracks - 128)) * TRACK, ByteBuffer.wrap(d));
        }
    }

    /**
     * Small host writes of random bytes until v's journal holds {@code filled} bytes, flushed: a write
     * of {@code big} bytes does not fit then.
     */
    static void fill(Pool pool, Random rnd, long filled, int big) throws Exception {
        JournalAdmin.Open o = pool.journals.get("v");
        while (o.journal.liveBytes() < filled) {
            byte[] d = new byte[8192];
            rnd.nextBytes(d);
            pool.device("v").write(rnd.nextInt((int) pool.volume("v").size() - d.length), ByteBuffer.wrap(d));
        }
        pool.device("v").flush();
        assertThat(o.journal.fits(big)).as("the next write does not fit").isFalse();
    }

    /**
     * v loses two of its three drives (d1 failed, d2's image gone) and is rebuilt from its journal's
     * base and entries: its bytes must be {@code expect}.
     */
    static void assertRebuildsFromTheJournalsBase(Path dir, byte[] expect) throws Exception {
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive("d1");
        }
        Files.delete(dir.resolve("drives/d2.img"));
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "rebuilt from the journal's base");
        }
    }

    /** True once an event saying {@code text} is delivered (the bus delivers on a thread of its own), within 10 s. */
    static boolean said(List<Event> events, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.stream().noneMatch(e -> e.message().contains(text))) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** {@code volume}'s journal base image with its live entries applied in order: what a ship or a rebuild makes. */
    static byte[] chainPlusJournal(Pool pool, String volume) throws Exception {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
        byte[] out = BackupTest.imageBytes(Path.of(rec.store()), rec.base());
        var j = pool.journals.get(volume).journal;
        for (var e : j.entries(rec.shippedThrough(), Long.MAX_VALUE)) {
            j.readData(e.seq(), 0, ByteBuffer.wrap(out, (int) e.offset(), e.length()));
        }
        return out;
    }
}
