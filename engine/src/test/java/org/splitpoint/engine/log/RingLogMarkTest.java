package org.splitpoint.engine.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * A ring's forced marks (see RingLog's class note): a mark claims only what a force made durable,
 * the close claims every forced entry, a replay that ends short of the claim says by how much,
 * and a ring that keeps no marks (or a file from before them) claims nothing.
 */
class RingLogMarkTest {

    private static final long UNBOUNDED = Long.MAX_VALUE / 4;

    @TempDir
    Path dir;

    private static RingLog open(Path f, boolean marks) throws Exception {
        StorageFile file = Files.exists(f) ? StorageFactory.real().open(f) : StorageFactory.real().create(f);
        RingLog r = new RingLog(file, UNBOUNDED, 0x11111111, 0x22222222);
        return marks ? r.keepForcedMarks() : r;
    }

    /** Five entries of 1000 bytes, forced one at a time, closed; the file's length after each. */
    private static long[] fiveForced(Path f, boolean marks) throws Exception {
        RingLog r = open(f, marks);
        r.readLive();
        r.adopt();
        long[] ends = new long[5];
        for (int i = 0; i < 5; i++) {
            r.append(new byte[1000]);
            r.force();
            ends[i] = Files.size(f);
        }
        r.closeMarked();
        return ends;
    }

    @Test
    void aReplayShortOfTheCloseMarkSaysHowManyForcedEntriesItLost() throws Exception {
        Path f = dir.resolve("log");
        long[] ends = fiveForced(f, true);
        RingLog whole = open(f, true);
        assertThat(whole.readLive()).hasSize(5);
        assertThat(whole.shortOfMark()).as("a whole log").isZero();
        whole.close();
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ends[2]); // the last two entries gone: even the last forced one is claimed
        }
        RingLog cut = open(f, true);
        assertThat(cut.readLive()).hasSize(3);
        assertThat(cut.shortOfMark()).isEqualTo(2);
        cut.adopt();
        cut.append(new byte[1000]); // written again (the owner's)
        cut.settleMark();
        cut.close();
        RingLog settled = open(f, true);
        assertThat(settled.readLive()).hasSize(4);
        assertThat(settled.shortOfMark()).as("the mark settled at what is there now").isZero();
        settled.close();
    }

    /** An owner that had nothing to write again still brings the claim down to what is there. */
    @Test
    void aMarkSettlesWithNothingAppendedAgain() throws Exception {
        Path f = dir.resolve("log");
        long[] ends = fiveForced(f, true);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ends[3]);
        }
        RingLog cut = open(f, true);
        assertThat(cut.readLive()).hasSize(4);
        assertThat(cut.shortOfMark()).isEqualTo(1);
        cut.adopt();
        cut.settleMark();
        cut.close();
        RingLog settled = open(f, true);
        assertThat(settled.readLive()).hasSize(4);
        assertThat(settled.shortOfMark()).isZero();
        settled.close();
    }

    @Test
    void withoutAnOrderlyCloseTheMarkClaimsWhatTheForceBeforeTheLastOneMadeDurable() throws Exception {
        Path f = dir.resolve("log");
        RingLog r = open(f, true);
        r.readLive();
        r.adopt();
        long[] ends = new long[3];
        for (int i = 0; i < 3; i++) {
            r.append(new byte[1000]);
            r.force();
            ends[i] = Files.size(f);
        }
        r.close(); // no mark at the close: as a crash leaves it (the last force's entry unclaimed)
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ends[1]); // the last entry gone, as a torn tail would be: no damage
        }
        RingLog torn = open(f, true);
        assertThat(torn.readLive()).hasSize(2);
        assertThat(torn.shortOfMark()).isZero();
        torn.close();
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ends[0]); // the second one too: the third force's mark claimed it
        }
        RingLog damaged = open(f, true);
        assertThat(damaged.readLive()).hasSize(1);
        assertThat(damaged.shortOfMark()).isEqualTo(1);
        damaged.close();
    }

    /**
     * A crash leaves the last force's entries unclaimed (the mark lags one force); an opening that
     * reads them back and appends nothing must still claim them at its clean close, as the close
     * promises. It did not (only an opening that appended wrote marks), so damage taking those
     * entries after that close passed for a torn tail: a data window's track then came back with an
     * older record's bytes (DamagedDeltaLogTest.aLogDamagedAfterACrashAndAQuietOpeningIsSeen).
     */
    @Test
    void aCleanCloseAfterACrashClaimsTheEntriesItReadBack() throws Exception {
        Path f = dir.resolve("log");
        RingLog r = open(f, true);
        r.readLive();
        r.adopt();
        long[] ends = new long[3];
        for (int i = 0; i < 3; i++) {
            r.append(new byte[1000]);
            r.force();
            ends[i] = Files.size(f);
        }
        r.close(); // as a crash leaves it: the third entry forced, the mark claiming two
        RingLog quiet = open(f, true);
        assertThat(quiet.readLive()).hasSize(3);
        quiet.adopt(); // the owner goes on with the log
        quiet.closeMarked(); // appends nothing
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ends[1]); // the third entry gone after that clean close: damage
        }
        RingLog damaged = open(f, true);
        assertThat(damaged.readLive()).hasSize(2);
        assertThat(damaged.shortOfMark()).as("the forced entry the quiet opening read back is claimed").isEqualTo(1);
        damaged.close();
    }

    @Test
    void aRingThatKeepsNoMarksWritesNoneAndAFileWithoutThemClaimsNothing() throws Exception {
        Path f = dir.resolve("log");
        long[] ends = fiveForced(f, false);
        byte[] slots = new byte[8192];
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            raf.readFully(slots);
        }
        for (int at : new int[] {2048, 6144}) {
            for (int i = at; i < at + 64; i++) {
                assertThat(slots[i]).as("byte " + i).isZero();
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ends[2]);
        }
        RingLog read = open(f, true); // a reader that keeps marks, over a file from before them
        assertThat(read.readLive()).hasSize(3);
        assertThat(read.shortOfMark()).isZero();
        read.close();
    }

    @Test
    void aTornMarkLeavesTheOlderOne() throws Exception {
        Path f = dir.resolve("log");
        long[] ends = fiveForced(f, true);
        RingLog r = open(f, true);
        r.readLive();
        r.close();
        // the newest mark's slot overwritten (a torn write of it): the other slot's older claim stands
        for (int at : new int[] {2048, 6144}) {
            Path copy = dir.resolve("copy" + at);
            Files.copy(f, copy);
            try (RandomAccessFile raf = new RandomAccessFile(copy.toFile(), "rw")) {
                raf.seek(at + 30);
                raf.write(new byte[] {1, 2, 3});
                raf.setLength(ends[0]);
            }
            RingLog c = open(copy, true);
            assertThat(c.readLive()).hasSize(1);
            assertThat(c.shortOfMark()).as("slot " + at + " torn").isBetween(3L, 4L);
            c.close();
        }
    }
}
