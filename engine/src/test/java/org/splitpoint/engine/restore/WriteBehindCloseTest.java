package org.splitpoint.engine.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.io.RangeLocks;

/**
 * A restore's end closes its write-behind before host requests go straight to the volume (they
 * take no track lock from then on), so no write-behind write may still be under way once the close
 * returns. The close waited at most 10 s for the thread and then returned: a track write on a disk
 * stalled longer than that (a real write is not cut short by the close's interrupt) went on after
 * the restore ended and could land the backup's track over a host's write made after the end.
 */
class WriteBehindCloseTest {

    @Test
    void theCloseReturnsOnlyOnceTheTrackBeingWrittenIsWritten() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch diskBack = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        WriteBehind wb = new WriteBehind("v", new RangeLocks(1), t -> {
            writing.countDown();
            boolean interrupted = false;
            while (true) { // a stalled disk: the write is not cut short by an interrupt
                try {
                    diskBack.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            written.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }, error -> {
            throw new AssertionError("the write-behind stopped: " + error);
        });
        assertThat(wb.offer(7, new byte[4096])).isTrue();
        assertThat(writing.await(30, TimeUnit.SECONDS)).as("the track's write began").isTrue();

        Thread closer = new Thread(wb::close, "closer");
        closer.start();
        closer.join(12_000); // past the 10 s the close waited before
        boolean closedWhileWriting = !closer.isAlive() && written.getCount() == 1;
        diskBack.countDown();
        closer.join(30_000);
        assertThat(closedWhileWriting).as("the close returned while the write-behind still wrote its track").isFalse();
        assertThat(closer.isAlive()).as("the close, once the track was written").isFalse();
        assertThat(written.getCount()).isZero();
    }

    /**
     * The close does not interrupt a write under way: the JDK closes a channel whose thread is
     * interrupted in it, and a FAILED volume's blank images, renamed to their drives' names since
     * they were opened, could not be opened again under the name they were opened by. A track
     * the write-behind began just before a pool's close then failed both drives of a restored
     * mirror, and the absence's pool.json write, cut by the same interrupt, halted the pool
     * (UnrecordedRestoreTest, 1 run in 4 in CI). The thread is woken without an interrupt.
     */
    @Test
    void theCloseDoesNotInterruptTheTrackBeingWritten() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        WriteBehind wb = new WriteBehind("v", new RangeLocks(1), t -> {
            writing.countDown();
            try {
                closing.await(30, TimeUnit.SECONDS);
                Thread.sleep(300); // the write still under way while the close runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            interrupted.set(Thread.currentThread().isInterrupted()); // a channel's I/O here would be cut
        }, error -> {
            throw new AssertionError("the write-behind stopped: " + error);
        });
        assertThat(wb.offer(3, new byte[4096])).isTrue();
        assertThat(writing.await(30, TimeUnit.SECONDS)).as("the track's write began").isTrue();
        Thread closer = new Thread(wb::close, "closer");
        closer.start();
        closing.countDown();
        closer.join(30_000);
        assertThat(closer.isAlive()).as("the close, once the track was written").isFalse();
        assertThat(interrupted.get()).as("the write was interrupted by the close").isFalse();
    }
}
