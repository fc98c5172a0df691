package org.splitpoint.engine.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JobTest {

    /** Work that copies nothing but reports 64 KiB a track and remembers its checkpoints. */
    static class CountingWork implements JobWork {
        final AtomicLong copied = new AtomicLong();
        final CopyOnWriteArrayList<Long> checkpoints = new CopyOnWriteArrayList<>();
        volatile JobState stoppedAs;
        volatile boolean finished;

        @Override
        public Step copyNext(long done) {
            copied.incrementAndGet();
            return new Step(1, 65536);
        }

        @Override
        public void checkpoint(long doneUpTo) {
            checkpoints.add(doneUpTo);
        }

        @Override
        public void finished() {
            finished = true;
        }

        @Override
        public void stopped(JobState state, Exception error) {
            stoppedAs = state;
        }
    }

    @Test
    void throttleLimitsTheRateAndCanBeLiftedWhileRunning() throws Exception {
        CountingWork w = new CountingWork();
        Job job = new Job("j", "test", "t", 0, 1000, 65536, false, 1 << 20, w, p -> { });
        job.start();
        Thread.sleep(1000);
        long inOneSecond = w.copied.get();
        assertThat(inOneSecond).isBetween(8L, 40L); // ~16 tracks of 64 KiB at 1 MiB/s, plus one bucket
        job.setThrottle(0);
        assertThat(job.await(10_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(w.finished).isTrue();
        assertThat(w.checkpoints).last().isEqualTo(1000L);
    }

    /**
     * Work that runs out of memory (a buffer too large for the heap) fails its job with the reason:
     * the thread died with the job RUNNING, and `backup create` on a pool of 1 GiB tracks under
     * -Xmx1g waited for it forever.
     */
    @Test
    void anErrorInTheWorkFailsTheJobInsteadOfLeavingItRunning() throws Exception {
        CountingWork w = new CountingWork() {
            @Override
            public Step copyNext(long done) {
                if (copied.incrementAndGet() == 3) {
                    throw new OutOfMemoryError("Java heap space");
                }
                return new Step(1, 65536);
            }
        };
        java.util.List<JobProgress> finished = new CopyOnWriteArrayList<>();
        Job job = new Job("j", "test", "t", 0, 10, 65536, false, 0, w, p -> { });
        job.addListener(new JobListener() {
            @Override
            public void finished(Job j, JobProgress p) {
                finished.add(p);
            }
        });
        job.start();
        assertThat(job.await(10_000)).as("the job ended").isTrue();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(w.stoppedAs).isEqualTo(JobState.FAILED);
        assertThat(job.progress().message()).contains("out of memory").contains("Java heap space");
        assertThat(finished).hasSize(1);

        CountingWork stepped = new CountingWork() {
            @Override
            public Step copyNext(long done) {
                throw new StackOverflowError();
            }
        };
        Job driven = new Job("k", "test", "t", 0, 10, 65536, false, 0, stepped, p -> { });
        assertThat(driven.stepOnce()).isFalse();
        assertThat(driven.state()).isEqualTo(JobState.FAILED);
        assertThat(driven.progress().message()).contains("StackOverflowError");
    }

    /**
     * A step over a large track (1 GiB) tells the job what it moved on the way: the rate and the ETA
     * move during it (they showed 0.0 MB/s and no ETA until the track was done), and the bytes are
     * counted once.
     */
    @Test
    void aLongStepsBytesMoveTheRateAndEtaWhileItRuns() throws Exception {
        long mib = 1 << 20;
        java.util.concurrent.CountDownLatch halfway = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch goOn = new java.util.concurrent.CountDownLatch(1);
        JobWork w = new CountingWork() {
            java.util.function.LongConsumer moved;

            @Override
            public void reportWithin(java.util.function.LongConsumer m) {
                moved = m;
            }

            @Override
            public Step copyNext(long done) {
                for (int i = 0; i < 8; i++) {
                    moved.accept(mib);
                    if (i == 3 && done == 0) {
                        halfway.countDown();
                        try {
                            goOn.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
                return new Step(1, 8 * mib);
            }
        };
        Job job = new Job("j", "test", "t", 0, 2, 8 * mib, false, 0, w, p -> { });
        job.start();
        assertThat(halfway.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        JobProgress mid = job.progress();
        goOn.countDown();
        assertThat(mid.doneTracks()).isZero();
        assertThat(mid.bytesPerSecond()).as("the rate during the first track").isGreaterThan(0);
        assertThat(mid.etaSeconds()).as("the ETA during the first track").isGreaterThanOrEqualTo(0);
        assertThat(job.await(10_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(job.bytesMoved()).isEqualTo(16 * mib);
    }

    @Test
    void pauseHoldsAndResumeContinuesWhereItStopped() throws Exception {
        CountingWork w = new CountingWork();
        Job job = new Job("j", "test", "t", 500, 1000, 65536, true, 0, w, p -> { });
        job.start();
        Thread.sleep(200);
        assertThat(w.copied.get()).isZero();
        assertThat(job.progress().state()).isEqualTo(JobState.PAUSED);
        job.resume();
        assertThat(job.await(10_000)).isTrue();
        assertThat(w.copied.get()).isEqualTo(500); // tracks 500..999 only
    }

    @Test
    void cancelStopsWithACheckpoint() throws Exception {
        CountingWork w = new CountingWork();
        Job job = new Job("j", "test", "t", 0, 1_000_000, 65536, false, 1 << 20, w, p -> { });
        job.start();
        Thread.sleep(100);
        job.cancel();
        assertThat(job.await(10_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(w.stoppedAs).isEqualTo(JobState.CANCELLED);
        assertThat(w.checkpoints).last().isEqualTo(w.copied.get());
    }

    @Test
    void progressLineShowsPercentRateAndEta() {
        JobProgress p = new JobProgress("j", "rebuild", "d3 of db", JobState.RUNNING, 250, 1000, 65536,
                2_000_000, 65, 0, "");
        assertThat(p.line()).isEqualTo("rebuild d3 of db   25.0%  250/1000 tracks  2.0 MB/s  ETA 1:05");
    }
}
