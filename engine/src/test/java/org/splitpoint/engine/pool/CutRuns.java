package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/** The two ends every power-cut run of these tests shares: its failures told from the cut's, and the crash. */
final class CutRuns {

    private CutRuns() {
    }

    /**
     * The injector of a run: the power cut after write {@code cut} (0: none, only counting), write N
     * torn after 512 bytes for odd seeds and not at all for even ones, the advisory event log not
     * counted (written from a thread of its own); for half the seeds (2 and 3 of every 4) the
     * files start background forces as the real ones do ({@link #writesBackEarly}).
     */
    static FaultInjector injector(long cut, long seed) {
        return writesBackEarly(new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, (int) (seed % 2) * 512, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl")), seed);
    }

    /**
     * For seeds 2 and 3 of every 4, {@code inj}'s files force themselves in the background once 4 to
     * 64 KiB (by the seed) were written through a handle since its last force, as RealStorage's do
     * past 32 MiB (EarlyWriteBack): a crash test's few megabytes then start such forces beside the
     * engine's own, and a failing force may be one of them, its error due at the file's next force.
     */
    static FaultInjector writesBackEarly(FaultInjector inj, long seed) {
        return (seed >> 1) % 2 == 1 ? inj.writesBackEarly(4096L << (seed % 5)) : inj;
    }

    /** The volume v reads {@code expected} with d2 ONLINE, and its members agree. */
    static void assertWholeWithD2(Pool p, byte[] expected, String what) throws Exception {
        assertThat(p.snapshot().drive("d2").state()).as(what).isEqualTo(DriveState.ONLINE);
        TestPools.assertSameBytes(TestPools.readAll(p.volume("v")), expected, what + ": the volume with d2 back");
        assertThat(p.admin().verify("v", false, null)).as(what + ": the members agree").isZero();
    }

    /** An exception a run's scene threw: the power cut's doing once it is cut, else the test fails with it. */
    static void cutOrFail(FaultInjector inj, Exception e, String what) {
        if (!inj.isCut()) {
            throw new AssertionError(what + ": failed without a cut: " + e, e);
        }
    }

    /** One run of several openings: {@code cuts[k]} cuts opening k+1 (0: at its end); returns each opening's writes. */
    interface Openings {
        long[] run(java.nio.file.Path runDir, long[] cuts, long seed) throws Exception;
    }

    /**
     * The runs of a multi-cut test under {@code tmp}: one uncut to count each opening's writes, then
     * {@code runs} ({@code longRuns} with -Dsplitpoint.longTests=true) with each opening cut at a
     * random write index of its count, seeds 1, 2, ...; or, with {@code -D<only>=[SCENE:]C1,C2,..:SEED},
     * that one run (of {@code scene} only, when it names one).
     */
    static void multiCut(String test, String only, String scene, java.nio.file.Path tmp, int openings, int runs,
                         int longRuns, Openings run) throws Exception {
        String one = System.getProperty(only, "");
        if (!one.isEmpty()) {
            String[] a = one.split(":");
            if (a.length == 2 || a[0].equals(scene)) {
                String[] c = a[a.length - 2].split(",");
                run.run(tmp.resolve("only"), java.util.Arrays.stream(c).mapToLong(Long::parseLong).toArray(),
                        Long.parseLong(a[a.length - 1]));
            }
            return;
        }
        long[] counted = run.run(tmp.resolve("count"), new long[openings], 1);
        System.out.println(test + (scene.isEmpty() ? "" : " " + scene) + ": the openings of an uncut run write "
                + java.util.Arrays.toString(counted) + " times");
        java.util.Random pick = new java.util.Random((test + scene).hashCode());
        int n = Boolean.getBoolean("splitpoint.longTests") ? longRuns : runs;
        for (int i = 0; i < n; i++) {
            long[] cuts = new long[openings];
            for (int k = 0; k < openings; k++) {
                cuts[k] = 1 + (long) (pick.nextDouble() * Math.max(1, counted[k]));
            }
            run.run(tmp.resolve("run-" + i), cuts, 1 + i);
        }
    }

    /** A run's part in each opening of {@link #openings}. */
    interface Opening {
        /** The pool as opened (after a cut, or after the clean close): what it must hold, checked. */
        void reopened(Pool pool, String what) throws Exception;

        /** Host writers and the scene's jobs or verbs, until they end or the power is cut. */
        void session(Pool pool, FaultInjector inj, long seed, String what) throws Exception;

        /** The clean close between the two sessions (and what it acknowledged). */
        void closed(Pool pool) throws Exception;

        /** The power was cut: what was not forced may be gone. */
        void crashed();
    }

    /**
     * The openings of one run over the pool in {@code dir}, each the same: opened and checked, a
     * session, a clean close, opened and checked again, a second session, and the power cut at write
     * index {@code cuts[k]} (or at its end) with the crash that follows. Returns each opening's writes.
     */
    static long[] openings(java.nio.file.Path dir, long[] cuts, long seed, String name, Opening o) throws Exception {
        long[] writes = new long[cuts.length];
        for (int k = 0; k < cuts.length; k++) {
            String what = name + ", opening " + (k + 1);
            FaultInjector inj = injector(cuts[k], seed * 10 + k);
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                o.reopened(pool, what);
                o.session(pool, inj, seed * 100 + k * 10, what + " (before the clean close)");
                o.closed(pool);
                pool = Pool.open(dir, inj);
                o.reopened(pool, what + " (after the clean close)");
                o.session(pool, inj, seed * 100 + k * 10 + 5, what + " (after the clean close)");
            } catch (Exception e) {
                cutOrFail(inj, e, what);
            }
            writes[k] = cutAndCrash(inj, pool);
            o.crashed();
        }
        return writes;
    }

    /** The power goes now if it has not yet (the opening ran to its end), then {@link #crash}. */
    static long cutAndCrash(FaultInjector inj, Pool open) throws Exception {
        if (!inj.isCut()) {
            inj.cutNow();
        }
        return crash(inj, open);
    }

    /** The jobs {@code p} resumed, unthrottled, run to their end: every one DONE. */
    static void finishJobs(Pool p, String what) throws Exception {
        p.jobs().forEach(j -> j.setThrottle(0));
        p.awaitJobs(null);
        for (org.splitpoint.engine.job.Job j : p.jobs()) {
            assertThat(j.state()).as(what + ": job " + j.id() + " (" + j.progress().message() + ")")
                    .isEqualTo(org.splitpoint.engine.job.JobState.DONE);
        }
    }

    /** The crash of a run with host writers: they end first, and none of them may have failed but by the cut. */
    static long crash(FaultInjector inj, HostWriters w, Pool open, String what) throws Exception {
        w.join();
        assertThat(w.failure.get()).as(what).isNull();
        return crash(inj, open);
    }

    /**
     * The crash: what the disks kept is settled (unforced writes and unsynced names lost or not),
     * and {@code open}, the pool the run left open (or null), abandoned. Returns the writes the
     * run counted.
     */
    static long crash(FaultInjector inj, Pool open) throws Exception {
        long writes = inj.writeCount();
        inj.crash();
        if (open != null) {
            open.abandon();
        }
        return writes;
    }
}
