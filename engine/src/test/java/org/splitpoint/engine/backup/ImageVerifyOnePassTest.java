package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;

/**
 * 'backup verify' checks an image's data file against its manifest's SHA-256 and every track against its own
 * from one read of the file: it read the file whole, then each track again, twice the disk's bytes. Neither check
 * is weaker for it: a track put again (a write-through image) is checked by its last copy, an earlier copy by the
 * whole sum, and tracks whose bytes lie out of track order are each checked on their own bytes.
 */
class ImageVerifyOnePassTest {

    private static final int TRACK = 4096;
    private static final long SIZE = 64L * TRACK;

    @TempDir
    Path dir;

    /** Bytes read from images' data files, counted. */
    private final AtomicLong dataRead = new AtomicLong();

    private DirectoryStore store() throws IOException {
        ForwardingStorage counting = new ForwardingStorage() {
            @Override
            public StorageFile openRead(Path path) throws IOException {
                StorageFile f = super.openRead(path);
                return !path.getFileName().toString().equals("data") ? f : new ForwardingFile(f) {
                    @Override
                    public void readFully(long position, ByteBuffer dst) throws IOException {
                        dataRead.addAndGet(dst.remaining());
                        super.readFully(position, dst);
                    }
                };
            }
        };
        return DirectoryStore.open(dir.resolve("store"), counting, true);
    }

    private static byte[] track(int seed) {
        byte[] b = new byte[TRACK];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** An image whose tracks were put as a write-through image puts them: 9, 3, 9 again (new bytes), 5. */
    private ImageInfo putOutOfOrderAndAgain(DirectoryStore s) throws IOException {
        ImageInfo header = new ImageInfo("v-full", s.uuid(), "v", SIZE, TRACK, java.time.Instant.now().toString(), null,
                ImageInfo.Kind.FULL, 0, 0, null, null);
        try (ImageWriter w = s.create(header)) {
            w.putTrack(9, track(90), TRACK);
            w.putTrack(3, track(3), TRACK);
            w.putTrack(9, track(9), TRACK);
            w.putTrack(5, track(5), TRACK);
            return w.seal();
        }
    }

    private void damage(DirectoryStore s, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(s.images().resolve("v-full/data"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 1)}), at);
        }
    }

    @Test
    void verifyReadsTheDataFileOnceAndItsProgressEndsAtWhatItSaidItWouldRead() throws Exception {
        DirectoryStore s = store();
        ImageInfo i = putOutOfOrderAndAgain(s);
        assertThat(i.dataBytes()).isEqualTo(4L * TRACK);
        List<Long> reports = new ArrayList<>();
        try (ImageReader r = s.open("v-full")) {
            dataRead.set(0);
            r.verify(reports::add);
            assertThat(dataRead.get()).as("bytes read from the data file").isEqualTo(i.dataBytes());
            assertThat(r.verifyBytes()).isEqualTo(i.dataBytes());
        }
        assertThat(reports).isNotEmpty().isSorted();
        assertThat(reports.get(reports.size() - 1)).isEqualTo(i.dataBytes());
    }

    @Test
    void aTrackPutAgainIsCheckedByItsLastCopyAndTheTracksAreNamedInTrackOrder() throws Exception {
        DirectoryStore s = store();
        putOutOfOrderAndAgain(s);
        try (ImageReader r = s.open("v-full")) {
            r.verify(null);
            byte[] got = new byte[TRACK];
            r.readTrack(9, got);
            assertThat(got).isEqualTo(track(9));
        }
        damage(s, 2L * TRACK + 100); // track 9's last copy
        damage(s, TRACK + 7); // track 3, whose bytes come before it
        try (ImageReader r = s.open("v-full")) {
            assertThatThrownBy(() -> r.verify(null)).isInstanceOf(BackupException.class)
                    .hasMessage("image v-full: 2 of 3 tracks fail their SHA-256 (tracks 3, 9; damaged): a restore of it"
                            + " copies the others and leaves those unrestored");
        }
    }

    @Test
    void damageToACopyNoTrackNeedsIsFoundByTheWholeSum() throws Exception {
        DirectoryStore s = store();
        putOutOfOrderAndAgain(s);
        damage(s, 5); // track 9's first copy, which its later one replaced
        try (ImageReader r = s.open("v-full")) {
            byte[] got = new byte[TRACK];
            r.readTrack(9, got); // a restore reads the last copy: intact
            assertThat(got).isEqualTo(track(9));
            assertThatThrownBy(() -> r.verify(null)).isInstanceOf(BackupException.class)
                    .hasMessage("image v-full: its data fails the SHA-256 in its manifest (damaged)");
        }
    }

    /**
     * Tracks bigger than verify's megabyte read span several reads, and one starts inside a read: the volume's last
     * track, shorter (1.5 MiB of 2), was put first.
     */
    @Test
    void tracksSpanningSeveralReadsAreEachChecked() throws Exception {
        int track = 2 << 20;
        int lastLength = 3 << 19;
        DirectoryStore s = store();
        ImageInfo header = new ImageInfo("v-full", s.uuid(), "v", 7L * track + lastLength, track,
                java.time.Instant.now().toString(), null, ImageInfo.Kind.FULL, 0, 0, null, null);
        byte[] bytes = new byte[track];
        try (ImageWriter w = s.create(header)) {
            for (int t : new int[] {7, 1, 4}) {
                new Random(t).nextBytes(bytes);
                w.putTrack(t, bytes, t == 7 ? lastLength : track);
            }
            w.seal();
        }
        try (ImageReader r = s.open("v-full")) {
            r.verify(null);
        }
        damage(s, lastLength + 2L * track - 1); // the last byte of track 4
        damage(s, lastLength); // the first of track 1
        try (ImageReader r = s.open("v-full")) {
            assertThatThrownBy(() -> r.verify(null)).isInstanceOf(BackupException.class)
                    .hasMessageStartingWith("image v-full: 2 of 3 tracks fail their SHA-256 (tracks 1, 4; damaged)");
        }
    }
}
