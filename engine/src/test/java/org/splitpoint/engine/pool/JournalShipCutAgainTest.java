package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.ChainVerify;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A volume's staged backup journal cut, and cut again, while it ships under host writers: four
 * openings per run. The first enables the journal (its base backup) with host writers on their own
 * threads and ships while they write (three batches of writes, ships beside each and after it); the
 * cut comes at a random write index. The next two reopen,
 * read, write and ship again, and are cut again. The last ships to the end. The pool and the store
 * are both on the injector: unforced writes land or not (torn at 512 B for odd seeds), unsynced
 * directory entries are lost.
 *
 * <p>After every reopen: v reads as the acknowledged writes allow; a ship the journal reported done
 * (its job DONE) is in the store, and the journal's base is that image or a later one; the base's
 * chain verifies; the base's chain plus the live entries is v. At the end the last ship's chain,
 * read from the store, is v's bytes. 10 runs by default, 150 with {@code -Dsplitpoint.longTests=true};
 * {@code -Djournalcut.only=C1,C2,C3:SEED} runs one, {@code -Djournalcut.trace=true} says why ships were refused.
 */
class JournalShipCutAgainTest {

    private static final int TRACK = JournaledPools.TRACK;
    private static final int WRITES = 24;
    private static final int OPENINGS_CUT = 3;

    @TempDir
    Path tmp;

    private byte[] initial;
    private int ships; // reported done, over the runs
    private List<String> legs;

    @Test
    void aJournalCutWhileItShipsAndCutAgainLosesNoAcknowledgedWriteAndNoShipItReportedDone() throws Exception {
        Path template = tmp.resolve("template");
        TestPools.create(template, Layout.RAID5, 3, JournaledPools.DRIVE, TRACK);
        try (Pool pool = Pool.open(template)) {
            legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            initial = ResumedJobCutAgainTest.filled(pool.device("v"), 21);
            pool.device("v").flush();
        }
        CutRuns.multiCut("JournalShipCutAgainTest", "journalcut.only", "", tmp, OPENINGS_CUT, 10, 150,
                (runDir, cuts, seed) -> run(template, runDir, cuts, seed));
        System.out.println("JournalShipCutAgainTest: " + ships + " ships reported done over the runs");
    }

    /** One run: {@code cuts[k]} is the write index at which opening k+1 is cut (0: at its end); returns the writes of each. */
    private long[] run(Path template, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        Path store = runDir.resolve("store");
        TestPools.copyDir(template, dir);
        Files.createDirectories(store);
        String run = "cuts " + Arrays.toString(cuts) + " seed " + seed;
        long[] writes = new long[cuts.length];
        AckOracle oracle = new AckOracle(initial);
        String shippedDone = null; // the image of the last ship reported done
        boolean enabled = false; // an enable returned
        for (int k = 0; k < cuts.length; k++) {
            String what = run + ", opening " + (k + 1);
            FaultInjector inj = CutRuns.injector(cuts[k], seed * 10 + k);
            HostWriters w = null;
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                byte[] got = ResumedJobCutAgainTest.readAll(pool.device("v"));
                assertThat(oracle.check(got)).as(what + ": v as reopened").isNull();
                boolean onRecord = pool.journals().volumes().contains("v");
                assertThat(onRecord || !enabled).as(what + ": the journal is on record, its enable had returned").isTrue();
                if (onRecord) {
                    checkJournal(pool, store, got, shippedDone, what);
                }
                w = new HostWriters(2, TRACK, got).span(40);
                // three batches of writes, each with ships beside it and one after it (what it left unshipped)
                for (int batch = 0; batch < 3 && !inj.isCut(); batch++) {
                    w.start(pool, seed * 10 + k + 1000L * batch, WRITES / 3, inj::isCut);
                    if (batch == 0 && !onRecord) { // the first opening, or the cut came before the enable returned
                        Job enable = pool.journals().enable("v", legs, store, 900 * 1024, 0);
                        enabled = true;
                        assertThat(enable.await(60_000)).as(what + ": the base backup ended").isTrue();
                    } else if (batch == 0 && pool.journals().status("v").base() == null) { // cut before the base backup ended
                        assertThat(baseBackup(pool, store).await(60_000)).as(what + ": a base").isTrue();
                    }
                    boolean writing = true;
                    while (!inj.isCut() && writing) {
                        writing = w.threads.stream().anyMatch(Thread::isAlive); // this ship may hold their last writes
                        String shipped = shipOnce(pool, what, inj);
                        if (shipped != null) {
                            ships++;
                            shippedDone = shipped;
                        }
                    }
                    w.join();
                }
            } catch (Exception e) {
                CutRuns.cutOrFail(inj, e, what);
            }
            if (w != null) {
                w.join();
                assertThat(w.failure.get()).as(what).isNull();
                oracle = w.model;
            }
            writes[k] = CutRuns.cutAndCrash(inj, pool);
        }
        String what = run + ", finished";
        try (Pool p = Pool.open(dir)) {
            byte[] got = ResumedJobCutAgainTest.readAll(p.device("v"));
            assertThat(oracle.check(got)).as(what + ": v as reopened").isNull();
            if (!p.journals().volumes().contains("v")) {
                assertThat(enabled).as(what + ": the journal is on record, its enable had returned").isFalse();
                assertThat(p.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
            }
            checkJournal(p, store, got, shippedDone, what);
            if (p.journals().status("v").base() == null) {
                // no base (the cut came before the first backup ended, or the journal stopped protecting): a backup gives it one
                Job b = baseBackup(p, store);
                assertThat(b.await(60_000)).as(what + ": a new base").isTrue();
                assertThat(b.state()).as(what + ": the new base").isEqualTo(JobState.DONE);
            }
            p.awaitJobs(null); // a ship the journal's watch started at open (the journal over its size)
            if (p.journals().status("v").entries() > 0) {
                Job last = p.journals().ship("v");
                last.await(60_000);
                assertThat(last.state()).as(what + ": the last ship: " + last.outcome()).isEqualTo(JobState.DONE);
            }
            assertThat(p.journals().status("v").entries()).as(what + ": entries left after the last ship").isZero();
            String base = p.journals().status("v").base();
            assertThat(new ChainVerify(DirectoryStore.open(store, StorageFactory.real(), false)).verify(base, null).ok())
                    .as(what + ": the chain of " + base + " verifies").isTrue();
            TestPools.assertSameBytes(BackupTest.imageBytes(store, base), got, what + ": the store's last image against v");
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /**
     * The backup that gives v's journal a base: the one the journal's watch started at open, or a new
     * one. The watch's start works in the store without the pool's monitor, so a start of ours meanwhile
     * is refused ("being started already") before its job exists: tried again until one is there.
     */
    static Job baseBackup(Pool pool, Path store) throws Exception {
        long until = System.nanoTime() + 60_000_000_000L;
        PoolException last = null;
        while (System.nanoTime() < until) {
            for (Job j : pool.jobs()) {
                if (j.id().equals("backup-v") && !j.state().isFinished()) {
                    return j;
                }
            }
            try {
                return pool.backups().backup("v", store, true, 0);
            } catch (PoolException running) {
                last = running; // the watch started it meanwhile: await that one
                Thread.sleep(10);
            }
        }
        throw new AssertionError("no base backup of v could be started: " + (last == null ? "" : last.getMessage()));
    }

    /** Ships v's journal once, awaited; returns the image it made, or null when it was refused (nothing to ship, a ship under way). */
    private static String shipOnce(Pool pool, String what, FaultInjector inj) throws Exception {
        Job ship;
        try {
            ship = pool.journals().ship("v");
        } catch (PoolException refused) {
            if (Boolean.getBoolean("journalcut.trace")) {
                System.out.println(what + ": ship refused: " + refused.getMessage());
            }
            Thread.sleep(5); // nothing to ship yet, or an automatic ship runs: the writers go on
            return null;
        }
        ship.await(60_000);
        if (ship.state() != JobState.DONE && Boolean.getBoolean("journalcut.trace")) {
            System.out.println(what + ": ship " + ship.state());
        }
        if (ship.state() != JobState.DONE) {
            assertThat(inj.isCut()).as(what + ": a ship " + ship.state() + " without a cut: " + ship.outcome()).isTrue();
            return null;
        }
        return pool.journals().status("v").base();
    }

    /**
     * The journal as reopened, v reading {@code got}: the last ship reported done is in the store and
     * the journal builds on it or on a later image; its chain verifies; its chain plus the live entries is v.
     */
    private static void checkJournal(Pool pool, Path store, byte[] got, String shippedDone, String what) throws Exception {
        JournalAdmin.Status s = pool.journals().status("v");
        DirectoryStore st = DirectoryStore.open(store, StorageFactory.real(), false);
        if (shippedDone != null) {
            assertThat(st.list().stream().map(i -> i.id())).as(what + ": the store holds the ship reported done")
                    .contains(shippedDone);
            ChainVerify.Verdict v = new ChainVerify(st).verify(shippedDone, null);
            assertThat(v.ok()).as(what + ": the chain of the ship reported done verifies: " + v.sentence()).isTrue();
        }
        if (s.base() == null) {
            return; // not protecting (no base yet, or stopped): nothing builds on the store
        }
        ChainVerify.Verdict v = new ChainVerify(st).verify(s.base(), null);
        assertThat(v.ok()).as(what + ": the chain of the journal's base verifies: " + v.sentence()).isTrue();
        if (shippedDone != null) {
            // the ship's image or one built on it; a full backup taken since (a new base) is later anyway
            java.util.Map<String, org.splitpoint.engine.backup.ImageInfo> byId = new java.util.HashMap<>();
            st.list().forEach(i -> byId.put(i.id(), i));
            boolean later = false;
            for (String id = s.base(); id != null && !later; id = byId.get(id).parent()) {
                later = id.equals(shippedDone) || byId.get(id).createdAt().compareTo(byId.get(shippedDone).createdAt()) > 0
                        && byId.get(id).parent() == null;
            }
            assertThat(later).as(what + ": the journal's base " + s.base() + " is the ship reported done "
                    + shippedDone + " or later").isTrue();
        }
        TestPools.assertSameBytes(JournaledPools.chainPlusJournal(pool, "v"), got,
                what + ": the journal's base plus its entries against v");
    }
}
