package org.splitpoint.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupt closes a FileChannel; the file is opened again and the operation redone (see
 * RealStorage). Opened again by its path, it must still be the same file: images are renamed
 * while open, and another file may stand at the old path by then. Reading that one would hand a
 * drive's reader another drive's bytes.
 */
@org.junit.jupiter.api.extension.ExtendWith(InterruptsCloseChannels.class)
class ReopenSameFileTest {

    @TempDir
    Path dir;

    /** An image of 8 KiB of ones at d1.img. */
    private Path image(byte[] mine) throws IOException {
        Path image = dir.resolve("d1.img");
        Arrays.fill(mine, (byte) 1);
        Files.write(image, mine);
        return image;
    }

    @Test
    void aChannelClosedByAnInterruptIsNotReopenedOnAnotherFileAtItsPath() throws IOException {
        byte[] mine = new byte[8192];
        Path image = image(mine);
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            Files.move(image, dir.resolve("d1.img.moved"), StandardCopyOption.ATOMIC_MOVE);
            byte[] other = new byte[8192];
            Arrays.fill(other, (byte) 2);
            Files.write(image, other); // another image where this one was
            ByteBuffer dst = ByteBuffer.allocate(4096);
            Thread.currentThread().interrupt(); // the read closes the channel, which is then opened again
            try {
                f.readFully(0, dst);
                assertArrayEquals(Arrays.copyOf(mine, 4096), dst.array(), "read this file's bytes, not the other's");
            } catch (IOException refused) {
                // refusing is right too: what it must not do is read the other file
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void aChannelClosedByAnInterruptIsReopenedWhenItsPathStillNamesIt() throws IOException {
        byte[] mine = new byte[8192];
        Path image = image(mine);
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            ByteBuffer dst = ByteBuffer.allocate(4096);
            Thread.currentThread().interrupt();
            try {
                f.readFully(0, dst);
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is given back to the caller");
            } finally {
                Thread.interrupted();
            }
            assertArrayEquals(Arrays.copyOf(mine, 4096), dst.array());
        }
    }

    /**
     * A directory's sync by an interrupted thread: the JDK closes the channel and throws
     * ClosedByInterruptException though nothing failed. A pool.json write by a thread being stopped
     * took that for a failed sync and halted the pool (UnrecordedRestoreTest in CI).
     */
    @Test
    void aDirectorySyncByAnInterruptedThreadIsDoneAndTheInterruptGivenBack() throws IOException {
        Thread.currentThread().interrupt();
        try {
            RealStorage.INSTANCE.syncDirectory(dir);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is given back to the caller");
        } finally {
            Thread.interrupted();
        }
    }

    /**
     * Renamed through the storage while open (a FAILED volume's blank image takes its drive's name
     * once on record), then closed by an interrupt: it is opened again by its new name. Before, only
     * the old name was tried, it named nothing, and the write failed the drive.
     */
    @Test
    void aChannelClosedByAnInterruptIsReopenedByTheNameTheStorageRenamedItTo() throws IOException {
        byte[] mine = new byte[8192];
        Path blank = dir.resolve("d1.img.blank");
        Arrays.fill(mine, (byte) 1);
        Files.write(blank, mine);
        Path image = dir.resolve("d1.img");
        try (StorageFile f = RealStorage.INSTANCE.open(blank)) {
            RealStorage.INSTANCE.rename(blank, image);
            byte[] two = new byte[4096];
            Arrays.fill(two, (byte) 2);
            Thread.currentThread().interrupt(); // the write closes the channel, which is then opened again
            try {
                f.writeFully(4096, ByteBuffer.wrap(two));
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is given back to the caller");
            } finally {
                Thread.interrupted();
            }
            f.force();
            System.arraycopy(two, 0, mine, 4096, 4096);
            assertArrayEquals(mine, Files.readAllBytes(image), "written to the file under its new name");
        }
    }
}
