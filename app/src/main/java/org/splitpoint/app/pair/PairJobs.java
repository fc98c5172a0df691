package org.splitpoint.app.pair;

import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;

/**
 * Cancelling a copy job so that the verifying workloads stay right: a cancelled restore (a pair's,
 * or a volume's to a snapshot) leaves the target's unrestored tracks with their old data, which the
 * workloads' expectations must forget in the same instant. Shared by the pair console, the snapshot
 * card and the jobs panel. Runs off the UI thread.
 */
public final class PairJobs {

    private PairJobs() {
    }

    /** Cancels job {@code id} and waits for it to stop; returns the job's final state word. */
    public static String cancel(Pool pool, String id, Expectations expectations) throws Exception {
        Job job = pool.job(id);
        if ("snapshot-restore".equals(job.kind())) {
            String volume = job.target();
            org.splitpoint.engine.restore.InstantRestore r = pool.snapshots().restoreOf(volume);
            return expectations.exclusive(() -> {
                job.cancel();
                job.await(30_000);
                if (r != null) { // its bitmaps stay readable once the engine dropped it
                    expectations.restoreCancelled(volume, r.owedTracks().toWords(), r.totalTracks(), r.trackSize());
                }
                return job.state().name();
            });
        }
        if (!"restore".equals(job.kind())) {
            job.cancel();
            job.await(30_000);
            return job.state().name();
        }
        return expectations.exclusive(() -> {
            job.cancel();
            job.await(30_000);
            Pair p = pair(pool, job.target());
            if (p != null) {
                expectations.restoreCancelled(p.std().name(), TrackWords.bcv(p), p.totalTracks(), p.trackSize());
            }
            return job.state().name();
        });
    }

    private static Pair pair(Pool pool, String name) {
        try {
            return pool.pairs().get(name);
        } catch (PoolException e) {
            return null;
        }
    }
}
