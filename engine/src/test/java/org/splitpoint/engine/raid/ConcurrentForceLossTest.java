package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.pool.DriveState;

/**
 * Two forces of one member's image at once, as a host's flush and a snapshot's save commit or a
 * rebuild's checkpoint make them: the kernel's writeback fails for want of space and drops the
 * pages both were to make durable, and Linux reports the error to one fsync of the shared
 * descriptor only (errseq): the other returns success. Its success says nothing of the pages, yet
 * it was taken for good whenever it checked the member's losses before the failing force, still
 * on its way back from the kernel, had counted its loss: a commit then cleared the marks of
 * copies no drive held. A force that succeeds beside one still under way waits for it to end.
 */
class ConcurrentForceLossTest {

    @TempDir
    Path dir;

    @Test
    void aForceThatSucceedsBesideOneThatFailsForWantOfSpaceDoesNotSayItsWritesAreDurable() throws Exception {
        Throwable[] got = twoForcesTheFirstFailing(dir.resolve("d1.img"),
                new NoSpaceException("no space left on device (injected, on fsync)"));
        assertThat(got[0]).as("the force the kernel's error went to").isInstanceOf(WritesLostException.class);
        assertThat(got[1]).as("the force beside it, whose pages the failed writeback dropped")
                .isInstanceOf(WritesLostException.class);
    }

    /**
     * The same with EIO: the failing force fails the drive. The force beside it said success (its
     * pages gone, the drive FAILED by then): now it says the drive failed, as the volume's flush
     * expects of a member it carries on without, not that space is lacking.
     */
    @Test
    void aForceThatSucceedsBesideOneThatFailsWithEioSaysTheDriveFailed() throws Exception {
        Throwable[] got = twoForcesTheFirstFailing(dir.resolve("d1.img"),
                new IOException("Input/output error (injected, on fsync)"));
        assertThat(got[0]).as("the force the kernel's error went to").isInstanceOf(Member.FailedException.class);
        assertThat(got[1]).as("the force beside it, whose pages the failed writeback dropped")
                .isInstanceOf(Member.FailedException.class);
    }

    /** Two forces of one member at once, the first failing with {@code error}; what each threw. */
    private static Throwable[] twoForcesTheFirstFailing(Path image, IOException error) throws Exception {
        CountDownLatch failingInKernel = new CountDownLatch(1);
        CountDownLatch failureReturns = new CountDownLatch(1);
        AtomicInteger forces = new AtomicInteger();
        StorageFile real = StorageFactory.real().create(image);
        real.setLength(1 << 20);
        StorageFile file = new ForwardingStorage.ForwardingFile(real) {
            @Override
            public void force() throws IOException {
                if (forces.incrementAndGet() == 1) {
                    failingInKernel.countDown(); // the writeback failed, its pages dropped
                    try {
                        failureReturns.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    throw error;
                }
                super.force(); // the second fsync: the error went to the first, it reports none
            }
        };
        Member m = new Member(0, "d1", file, DriveState.ONLINE, true);
        AtomicReference<Throwable> first = new AtomicReference<>();
        Thread failing = new Thread(() -> {
            try {
                m.force();
            } catch (Throwable e) {
                first.set(e);
            }
        }, "failing-force");
        failing.start();
        failingInKernel.await();
        AtomicReference<Throwable> second = new AtomicReference<>();
        Thread beside = new Thread(() -> {
            try {
                m.force();
            } catch (Throwable e) {
                second.set(e);
            }
        }, "beside-force");
        beside.start();
        long until = System.nanoTime() + 30_000_000_000L;
        while (beside.getState() != Thread.State.TERMINATED && beside.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the second force neither ended nor waited: " + beside.getState());
            }
            Thread.sleep(1);
        }
        failureReturns.countDown();
        failing.join();
        beside.join();
        m.close();
        return new Throwable[] {first.get(), second.get()};
    }
}
