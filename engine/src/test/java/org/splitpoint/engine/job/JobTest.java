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

    /** One step of a 4 MiB "track" in 64 KiB pieces, telling each and pacing between them, as a large track's copy does. */
    static class LargeTrackWork extends CountingWork {
        final AtomicLong pieces = new AtomicLong();
        volatile boolean endedEarly;
        private java.util.function.LongConsumer moved;
        private java.util.function.BooleanSupplier pace;

        @Override
        public void reportWithin(java.util.function.LongConsumer m) {
            moved = m;
        }

        @Override
        public void paceWithin(java.util.function.BooleanSupplier p) {
            pace = p;
        }

        @Override
        public Step copyNext(long done) {
            for (int i = 0; i < 64; i++) {
                pieces.incrementAndGet();
                moved.accept(65536);
                if (i < 63 && !pace.getAsBoolean()) {
                    endedEarly = true;
                    return new Step(0, (i + 1) * 65536L);
                }
            }
            return new Step(1, 4 << 20);
        }
    }

    /**
     * A work that tells its bytes within a step but cannot wait inside it (a backup holds the
     * track's lock throughout) is paced between steps by all it moved, as before.
     */
    @Test
    void aStepThatToldItsBytesWithoutPacingIsPacedAfter() throws Exception {
        LargeTrackWork w = new LargeTrackWork() {
            @Override
            public void paceWithin(java.util.function.BooleanSupplier p) {
                super.paceWithin(() -> true); // never waits inside
            }
        };
        Job job = new Job("j", "test", "t", 0, 100, 4 << 20, false, 4 << 20, w, p -> { });
        job.start();
        Thread.sleep(1500);
        assertThat(w.pieces.get() / 64).as("4 MiB tracks in 1.5 s at 4 MiB/s").isBetween(1L, 3L);
        job.cancel();
        assertThat(job.await(10_000)).isTrue();
    }

    /**
     * A throttle holds within a step that moves a large track (up to 1 GiB): the step copied it at
     * full speed and the job idled after, so a limit given to spare hosts did not spare them while
     * a track was copied. A pause is answered within a piece, not at the end of the track.
     */
    @Test
    void theThrottleHoldsWithinALargeTrackAndAPauseEndsTheStep() throws Exception {
        LargeTrackWork w = new LargeTrackWork();
        Job job = new Job("j", "test", "t", 0, 4, 4 << 20, false, 1 << 20, w, p -> { });
        job.start();
        Thread.sleep(1000);
        assertThat(w.pieces.get()).as("64 KiB pieces in a second at 1 MiB/s").isBetween(10L, 40L);
        long t0 = System.nanoTime();
        job.pause();
        while (!w.endedEarly && System.nanoTime() - t0 < 2_000_000_000L) {
            Thread.sleep(5);
        }
        assertThat(w.endedEarly).as("the step ended at the pause").isTrue();
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to answer the pause").isLessThan(600);
        long paused = w.pieces.get();
        Thread.sleep(300);
        assertThat(w.pieces.get()).as("nothing moves while paused").isEqualTo(paused);
        job.setThrottle(0);
        job.resume();
        assertThat(job.await(10_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.DONE);
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

    @Test
    void aLimitBelowATenthOfAMegabyteIsShownAsItIs() {
        JobProgress p = new JobProgress("j", "establish", "prod", JobState.RUNNING, 250, 1000, 65536,
                9_800, 65, 10_000, "");
        assertThat(p.line()).isEqualTo("establish prod   25.0%  250/1000 tracks  10 kB/s (limit 10 kB/s)  ETA 1:05");
    }

    /**
     * A restore whose tracks were all restored by on-demand reads before its copy ran has every track done and
     * no rate: its line said "100.0%  16/16 tracks  starting", as if the copy were about to begin.
     */
    @Test
    void aJobWithEveryTrackDoneAndNoRateSaysNothingIsLeftNotStarting() {
        JobProgress restored = new JobProgress("j", "restore", "p", JobState.RUNNING, 16, 16, 65536, 0, -1, 0, "");
        assertThat(restored.line()).isEqualTo("restore p  100.0%  16/16 tracks  nothing left to copy");
        JobProgress paused = new JobProgress("j", "restore", "p", JobState.PAUSED, 16, 16, 65536, 0, -1, 1_000_000, "");
        assertThat(paused.line()).isEqualTo("restore p  100.0%  16/16 tracks  nothing left to copy  PAUSED");
        JobProgress none = new JobProgress("j", "restore", "p", JobState.RUNNING, 0, 0, 65536, 0, -1, 0, "");
        assertThat(none.line()).isEqualTo("restore p  100.0%  0/0 tracks  nothing left to copy");
        JobProgress copying = new JobProgress("j", "restore", "p", JobState.RUNNING, 16, 16, 65536, 2_000_000, 0, 0, "");
        assertThat(copying.line()).as("its own copy just ended: its rate stands")
                .isEqualTo("restore p  100.0%  16/16 tracks  2.0 MB/s  ETA 0:00");
    }

    /** A failed job's line said "0.0 MB/s (limit 1.0 MB/s)  ETA 0:00  FAILED": not why, and a rate of nothing. */
    @Test
    void anEndedJobsLineSaysHowItEndedAndWhyNotARate() {
        JobProgress failed = new JobProgress("j", "backup", "v", JobState.FAILED, 43, 512, 65536, 0, 0, 1_000_000,
                "no space left on the file system holding /s/data");
        assertThat(failed.line()).isEqualTo("backup v    8.4%  43/512 tracks  FAILED: no space left on the file system"
                + " holding /s/data");
        JobProgress done = new JobProgress("j", "rebuild", "d3 of db", JobState.DONE, 1000, 1000, 65536, 0, 0, 0, "");
        assertThat(done.line()).isEqualTo("rebuild d3 of db  100.0%  1000/1000 tracks  DONE");
    }
}
