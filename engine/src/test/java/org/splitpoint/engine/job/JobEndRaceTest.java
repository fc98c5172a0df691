package org.splitpoint.engine.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A pause that comes while a job is ending (its work's finish under way, every track done) is not
 * taken: before, it was saved as the job's setting and said as "paused" to the listeners (the
 * events, 'job pause' printing "job j is PAUSED", exit 0) for a job that then ended DONE.
 */
class JobEndRaceTest {

    /** Work whose finish waits for the test, remembering the settings saved. */
    static final class SlowFinish extends JobTest.CountingWork {
        final CountDownLatch finishing = new CountDownLatch(1);
        final CountDownLatch letFinish = new CountDownLatch(1);
        final CopyOnWriteArrayList<Boolean> savedPaused = new CopyOnWriteArrayList<>();

        @Override
        public void finished() {
            finishing.countDown();
            try {
                letFinish.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.finished();
        }

        @Override
        public void settingsChanged(boolean paused, long throttle) {
            savedPaused.add(paused);
        }
    }

    @Test
    void aPauseWhileTheJobFinishesIsNotTakenNorSaved() throws Exception {
        SlowFinish w = new SlowFinish();
        Job job = new Job("j", "test", "t", 0, 8, 65536, false, 0, w, p -> { });
        CopyOnWriteArrayList<Boolean> heard = new CopyOnWriteArrayList<>();
        job.addListener(new JobListener() {
            @Override
            public void pausedChanged(Job j, boolean paused) {
                heard.add(paused);
            }
        });
        job.start();
        assertThat(w.finishing.await(30, TimeUnit.SECONDS)).isTrue();
        job.pause();
        assertThat(job.state()).as("while it finishes").isNotEqualTo(JobState.PAUSED);
        w.letFinish.countDown();
        assertThat(job.await(30_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(w.savedPaused).as("settings saved").isEmpty();
        assertThat(heard).as("pauses heard").isEmpty();
    }

    @Test
    void aCancelWhileTheJobFinishesLeavesItDone() throws Exception {
        SlowFinish w = new SlowFinish();
        Job job = new Job("j", "test", "t", 0, 8, 65536, false, 0, w, p -> { });
        job.start();
        assertThat(w.finishing.await(30, TimeUnit.SECONDS)).isTrue();
        job.cancel();
        w.letFinish.countDown();
        assertThat(job.await(30_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(w.stoppedAs).as("stopped() not called on a finished work").isNull();
    }
}
