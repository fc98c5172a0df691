package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.DriveState;

/**
 * {@link Member#readRun}: a run of neighbouring rows read with one call into slices that lie apart
 * returns what {@link Member#read(long, ByteBuffer, boolean)} returns for each slice, the journal's
 * overlay included (segments across the slices' edges, past the image's end).
 */
class MemberReadRunTest {

    @TempDir
    Path dir;

    @Test
    void aRunReadsWhatEachStripReadsOverlayIncluded() throws Exception {
        byte[] bytes = new byte[2 << 20];
        new Random(3).nextBytes(bytes);
        Path img = dir.resolve("d1.img");
        Files.write(img, bytes);
        Random r = new Random(17);
        try (StorageFile file = StorageFactory.real().open(img)) {
            Member m = new Member(0, "d1", file, DriveState.ONLINE, true);
            for (int round = 0; round < 200; round++) {
                List<StripeJournal.Segment> segs = new ArrayList<>();
                for (int s = r.nextInt(4); s > 0; s--) {
                    byte[] d = new byte[1 + r.nextInt(100 << 10)];
                    r.nextBytes(d);
                    segs.add(new StripeJournal.Segment(0, r.nextInt(bytes.length + (64 << 10)), d));
                }
                m.setOverlay(segs);
                int count = 2 + r.nextInt(5);
                int[] lengths = new int[count];
                int total = 0;
                for (int i = 0; i < count; i++) {
                    lengths[i] = r.nextBoolean() ? 64 << 10 : 1 + r.nextInt(80 << 10);
                    total += lengths[i];
                }
                long position = r.nextInt(bytes.length + (64 << 10));
                boolean direct = r.nextInt(4) != 0;
                ByteBuffer whole = direct ? ByteBuffer.allocateDirect(2 * total + 4096) : ByteBuffer.allocate(2 * total + 4096);
                ByteBuffer wholeOld = direct ? ByteBuffer.allocateDirect(2 * total + 4096) : ByteBuffer.allocate(2 * total + 4096);
                ByteBuffer[] run = new ByteBuffer[count];
                int at = 11;
                long pos = position;
                for (int i = 0; i < count; i++) {
                    run[i] = whole.slice(at, lengths[i] + 9).position(5).limit(5 + lengths[i]);
                    ByteBuffer one = wholeOld.slice(at, lengths[i] + 9).position(5).limit(5 + lengths[i]);
                    m.read(pos, one, true);
                    pos += lengths[i];
                    at += lengths[i] + 9 + r.nextInt(3) * 1000;
                }
                m.readRun(position, run);
                for (int i = 0; i < count; i++) {
                    assertThat(run[i].position()).as("slice %d of round %d filled", i, round).isEqualTo(5 + lengths[i]);
                }
                assertThat(whole.duplicate().clear()).as("round %d at %d", round, position).isEqualTo(wholeOld.duplicate().clear());
            }
        }
    }

    /**
     * A redo that lands while a read is under way (a write or flush redoes the pending updates, then
     * clears the overlay; reads do not wait for it): the read took the member's old bytes, and by the
     * time it looked at the overlay there was none, so the acknowledged update read as the old bytes.
     * The overlay is taken before the member is read: the update's bytes show either way.
     */
    @Test
    void anUpdateRedoneDuringTheReadStillShows() throws Exception {
        Path img = dir.resolve("d1.img");
        Files.write(img, new byte[1 << 20]);
        byte[] update = new byte[4096];
        java.util.Arrays.fill(update, (byte) 0x3c);
        long row = (64 << 10) + 1000; // in the run's second slice
        Member[] member = new Member[1];
        boolean[] redone = new boolean[1];
        StorageFile real = StorageFactory.real().open(img);
        StorageFile file = new org.splitpoint.engine.io.ForwardingStorage.ForwardingFile(real) {
            private void redoNow() throws java.io.IOException {
                if (!redone[0]) { // the flush's redo, between the read of the bytes and the overlay
                    redone[0] = true;
                    file.writeFully(row, ByteBuffer.wrap(update));
                    member[0].setOverlay(null);
                }
            }

            @Override
            public void readWithoutReadAhead(long position, ByteBuffer dst) throws java.io.IOException {
                file.readWithoutReadAhead(position, dst);
                redoNow();
            }

            @Override
            public void readWithoutReadAhead(long position, ByteBuffer[] dsts) throws java.io.IOException {
                file.readWithoutReadAhead(position, dsts);
                redoNow();
            }
        };
        try (file) {
            member[0] = new Member(0, "d1", file, DriveState.ONLINE, true);
            for (boolean run : new boolean[] {true, false}) {
                real.writeFully(row, ByteBuffer.wrap(new byte[update.length])); // the member's old bytes
                member[0].setOverlay(List.of(new StripeJournal.Segment(0, row, update.clone())));
                redone[0] = false;
                ByteBuffer whole = ByteBuffer.allocateDirect(256 << 10);
                ByteBuffer[] dsts = {whole.slice(0, 64 << 10), whole.slice(128 << 10, 64 << 10)};
                if (run) {
                    member[0].readRun(0, dsts);
                } else {
                    member[0].read(64 << 10, dsts[1], true);
                }
                byte[] got = new byte[update.length];
                whole.get((128 << 10) + 1000, got);
                assertThat(got).as(run ? "a run" : "one strip").isEqualTo(update);
            }
        }
    }
    /**
     * The same race for a hole's answer ({@link Member#holeAt}, which a partial-stripe write and a
     * block-status peek trust to mean zeros): the image said "hole", the redo then wrote the update
     * into it and cleared the overlay, and the empty overlay let the hole stand for rows that hold
     * the update. The overlay is taken before the image is asked.
     */
    @Test
    void aHoleAnsweredDuringARedoIsNotTakenForZeros() throws Exception {
        Path img = dir.resolve("d2.img");
        try (StorageFile create = StorageFactory.real().create(img)) {
            create.setLength(1 << 20); // a hole throughout
        }
        byte[] update = new byte[4096];
        java.util.Arrays.fill(update, (byte) 0x5d);
        long row = 64 << 10;
        Member[] member = new Member[1];
        StorageFile real = StorageFactory.real().open(img);
        StorageFile file = new org.splitpoint.engine.io.ForwardingStorage.ForwardingFile(real) {
            @Override
            public boolean hole(long position, long length) {
                boolean hole = file.hole(position, length);
                try { // the redo, between the image's answer and the look at the overlay
                    file.writeFully(row, ByteBuffer.wrap(update));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                member[0].setOverlay(null);
                return hole;
            }
        };
        try (file) {
            member[0] = new Member(0, "d2", file, DriveState.ONLINE, true);
            member[0].setOverlay(List.of(new StripeJournal.Segment(0, row, update.clone())));
            assertThat(member[0].holeAt(row, update.length)).as("rows the update covers are no hole").isFalse();
        }
    }
}
