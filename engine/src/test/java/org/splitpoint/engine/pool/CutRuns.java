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
     * counted (written from a thread of its own).
     */
    static FaultInjector injector(long cut, long seed) {
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, (int) (seed % 2) * 512, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
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
