package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A force that an interrupt cuts off is not redone on a new descriptor (RealStorage, {@link
 * SyncCutOffException}). The JDK closes a channel when a thread blocked in it is interrupted, its
 * own or another one sharing the channel; every other operation is redone whole on a new descriptor,
 * which is right for a positional read or write. For an fsync it is not: Linux reports a failed
 * write-back once per open file, to the fsync that sees it first, and marks the pages it could not
 * write clean. The cut fsync may have taken that report with it, and the same fsync redone on the new
 * descriptor answered success over writes that are not on disk (a review's strace probe: fdatasync
 * -1 EIO, then fdatasync 0, and force() returned normally).
 *
 * <p>Here the disk does not fail: a cut is made where the fsync of 128 MiB of dirty pages takes a
 * while, and the force must throw SyncCutOffException instead of answering. A cut that lands after
 * the fsync ended says nothing either way and is tried again. This is the fallback: where the JVM
 * opens sun.nio.ch to us the channels are deaf to interrupts (Uninterruptible) and nothing is cut,
 * which the last test checks; the others turn that off.
 */
@org.junit.jupiter.api.extension.ExtendWith(InterruptsCloseChannels.class)
class SyncCutOffTest {

    @TempDir
    Path dir;

    private static final int MIB = 1 << 20;

    /**
     * An image with {@code mib} MiB written buffered and not forced, opened for the engine: its fsync
     * has them to write. Written through a channel of the test's own, so that the engine's early
     * write-back (a background force every 32 MiB it writes) has not written them already.
     */
    private StorageFile dirty(String name, int mib) throws IOException {
        Path image = dir.resolve(name);
        byte[] b = new byte[MIB];
        Arrays.fill(b, (byte) 7);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(image,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                ch.write(ByteBuffer.wrap(b), (long) i * MIB);
            }
        }
        return RealStorage.INSTANCE.open(image);
    }

    /** What one force on its own thread did, cut off by {@code cut} once the force began. */
    private record Outcome(IOException thrown, long endedAt, long cutAt, boolean interruptGivenBack) {
        /** The cut came while the force still ran: it says something. */
        boolean cutDuringTheForce() {
            return thrown != null || endedAt - cutAt > TimeUnit.MILLISECONDS.toNanos(1);
        }
    }

    private interface Cut {
        void at(Thread forcing) throws Exception;
    }

    private Outcome forceCutBy(StorageFile f, Cut cut) throws Exception {
        AtomicReference<IOException> thrown = new AtomicReference<>();
        AtomicLong endedAt = new AtomicLong();
        AtomicBoolean givenBack = new AtomicBoolean();
        CountDownLatch begins = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            begins.countDown();
            try {
                f.force();
            } catch (IOException e) {
                thrown.set(e);
            } finally {
                endedAt.set(System.nanoTime());
                givenBack.set(Thread.interrupted());
            }
        }, "forcing");
        t.start();
        begins.await();
        Thread.sleep(15); // the fsync of the dirty pages is under way
        long cutAt = System.nanoTime();
        cut.at(t);
        t.join(60_000);
        return new Outcome(thrown.get(), endedAt.get(), cutAt, givenBack.get());
    }

    /** The forcing thread itself is interrupted while its fsync runs (ClosedByInterruptException). */
    @Test
    void aForceItsOwnThreadsInterruptCutsOffFailsAsAPossibleLossAndIsNotRedone() throws Exception {
        Outcome o = null;
        for (int attempt = 0; attempt < 6 && (o == null || !o.cutDuringTheForce()); attempt++) {
            try (StorageFile f = dirty("own" + attempt + ".img", 128)) {
                o = forceCutBy(f, Thread::interrupt);
                if (o.cutDuringTheForce()) {
                    assertThat(o.thrown()).as("a force cut off %.1f ms before it answered",
                            (o.endedAt() - o.cutAt()) / 1e6).isInstanceOf(SyncCutOffException.class)
                            .isInstanceOf(WritesLostException.class).hasMessageContaining("cut off by an interrupt");
                    assertThat(o.interruptGivenBack()).as("the interrupt is given back to the caller").isTrue();
                    f.force(); // the file is reopened for what comes next: a force now answers
                    ByteBuffer back = ByteBuffer.allocate(4096);
                    f.readFully(100L * MIB, back);
                    assertThat(back.array()).containsOnly((byte) 7);
                }
            }
        }
        assertThat(o.cutDuringTheForce()).as("no cut landed while a force ran in 6 tries").isTrue();
    }

    /**
     * Another thread's interrupt closes the shared channel while the force's fsync runs: the JDK's
     * close waits for the fsync, and one that succeeded answers so (only a failed one comes back as
     * AsynchronousCloseException, in place of its EIO, and is then a SyncCutOffException: the review's
     * strace probe injected that EIO; no test here can make a disk fail). The interrupted reader's
     * read is redone on a new descriptor, and the file goes on.
     */
    @Test
    void aForceWhoseChannelAnotherThreadsInterruptClosedAnswersWhatItsFsyncSaid() throws Exception {
        try (StorageFile f = dirty("other.img", 128)) {
            AtomicReference<Object> read = new AtomicReference<>();
            Outcome o = forceCutBy(f, forcing -> {
                Thread reader = new Thread(() -> {
                    Thread.currentThread().interrupt(); // its read closes the channel the force runs on
                    try {
                        ByteBuffer b = ByteBuffer.allocate(64 << 10);
                        f.readFully(0, b);
                        read.set(b.array()[0]);
                    } catch (IOException e) {
                        read.set(e);
                    }
                });
                reader.start();
                reader.join();
            });
            assertThat(read.get()).as("the interrupted reader's read is redone").isEqualTo((byte) 7);
            assertThat(o.thrown()).as("the fsync succeeded").isNull();
            f.writeFully(0, ByteBuffer.wrap(new byte[] {9}));
            f.force();
            ByteBuffer back = ByteBuffer.allocate(1);
            f.readFully(0, back);
            assertThat(back.array()[0]).isEqualTo((byte) 9);
        }
    }

    /**
     * Where the JVM lets us (the holders' flags, the engine's tests), channels are deaf to interrupts
     * (Uninterruptible): an interrupt during the fsync cuts nothing, the force answers what its fsync
     * said, and the interrupt is left for the caller.
     */
    @Test
    void whereChannelsAreDeafToInterruptsAForceIsNeverCutOff() throws Exception {
        Uninterruptible.disabledForTest = false;
        org.junit.jupiter.api.Assumptions.assumeTrue(Uninterruptible.available(), "sun.nio.ch not opened to the tests");
        Outcome o = null;
        for (int attempt = 0; attempt < 6 && (o == null || !o.cutDuringTheForce()); attempt++) {
            try (StorageFile f = dirty("deaf" + attempt + ".img", 128)) {
                o = forceCutBy(f, Thread::interrupt);
                assertThat(o.thrown()).as("a force an interrupt came to %.1f ms before it answered",
                        (o.endedAt() - o.cutAt()) / 1e6).isNull();
                assertThat(o.interruptGivenBack()).as("the interrupt is left for the caller").isTrue();
            }
        }
        assertThat(o.cutDuringTheForce()).as("no interrupt landed while a force ran in 6 tries").isTrue();
    }

    /** An interrupt already pending when a force begins cuts nothing off: the force is done and the interrupt given back. */
    @Test
    void aForceByAThreadAlreadyInterruptedIsDoneAndTheInterruptGivenBack() throws Exception {
        try (StorageFile f = dirty("pending.img", 4)) {
            Thread.currentThread().interrupt();
            try {
                f.force();
                assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is given back").isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }
}
