package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;

/**
 * An instant restore from a backup whose copy's thread cannot start (OutOfMemoryError: unable to
 * create native thread) after the restore is in place: it cannot be taken back (the journal's
 * entries before its new base are gone, a FAILED volume's blank drives need it), so the caller is
 * told in one sentence that it is in place and resumes at the next opening, and no job is left
 * listed as running that never will.
 */
class RestoreThreadStartTest {

    static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    /** Refuses the next job's thread ({@code Job.start}) made by a thread named {@code restorer} once armed. */
    @SuppressWarnings("removal")
    private static final class NoNewThread extends SecurityManager {
        final AtomicBoolean armed = new AtomicBoolean();

        @Override
        public void checkPermission(java.security.Permission perm) {
        }

        @Override
        public void checkAccess(ThreadGroup g) {
            if (Thread.currentThread().getName().equals("restorer") && startingAJob() && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("unable to create native thread (injected)");
            }
        }
    }

    private static boolean startingAJob() {
        return StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getClassName().equals("org.splitpoint.engine.job.Job")
                && f.getMethodName().equals("start")));
    }

    @Test
    @SuppressWarnings("removal")
    void aRestoreWhoseCopyCannotStartSaysSoAndResumesAtTheNextOpening() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 7, true);
        try (Pool p = Pool.open(dir)) {
            NoNewThread sm = new NoNewThread();
            System.setSecurityManager(sm);
            Throwable failed;
            try {
                sm.armed.set(true);
                CompletableFuture<Throwable> f = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        p.instantRestores().restore("v", store, null, false, 0);
                        f.complete(null);
                    } catch (Throwable e) {
                        f.complete(e);
                    }
                }, "restorer");
                t.start();
                failed = f.get();
            } finally {
                System.setSecurityManager(null);
            }
            assertThat(failed).as("the restore's start failed").isInstanceOf(PoolException.class)
                    .hasMessageContaining("restore of v").hasMessageContaining("resumes when the pool is next opened");
            assertThat(p.jobs()).as("no job listed as running that never runs").allMatch(j -> j.state().isFinished());
            byte[] got = new byte[model.length];
            p.device("v").read(0, ByteBuffer.wrap(got));
            assertThat(got).as("the backup's bytes, read on demand").isEqualTo(model);
        }
        try (Pool p = Pool.open(dir)) {
            for (var j : p.jobs()) {
                assertThat(j.await(30_000)).isTrue();
            }
            assertThat(p.instantRestores().restoreOf("v")).as("the restore resumed and ended").isNull();
            byte[] got = new byte[model.length];
            p.device("v").read(0, ByteBuffer.wrap(got));
            assertThat(got).isEqualTo(model);
        }
    }
}
