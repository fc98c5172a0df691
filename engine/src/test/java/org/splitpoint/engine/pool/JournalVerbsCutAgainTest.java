package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.ChainVerify;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A staged backup journal's verbs one after another beside host writers, cut and cut again: ships,
 * a disable, an enable again (its base backup), ships, with the watch's own base backups and ships
 * among them; v is journaled (its base made) before the first opening. Three openings a run, each: open, a session, a clean close,
 * a reopen, a session, and the power cut at a random write index; the pool and the store both on
 * the injector (unforced writes land or not, torn at 512 B for odd seeds, directory entries not
 * synced lost: an image's files, its directory's rename into images/, the manifest).
 *
 * <p>A session: two host writers (writes, zeroings, flushes, exact read-backs) and, beside them on
 * the test's thread, the verbs: enable when the journal is off, a base backup when it has none (the
 * watch's, when it started one), else a ship (now and then with a disable tried while it runs: refused),
 * or now and then a disable.
 *
 * <p>After every reopen: v reads as the acknowledged writes allow; every image the store lists
 * verifies with its chain, and every ship reported done is among them; a journal whose enable
 * returned and no disable since is on record, one whose disable returned is not; a journal with a
 * base: its chain plus its live entries is v. At the end the journal ships and its last image is v.
 * 8 runs, 60 with {@code -Dsplitpoint.longTests=true}; {@code -Djournalverbs.only=C1,C2,C3:SEED} runs one.
 */
class JournalVerbsCutAgainTest {

    private static final int TRACK = JournaledPools.TRACK;
    private static final int WRITES = 16;
    private static final int OPENINGS = 3;

    @TempDir
    Path tmp;

    private byte[] initial;
    private List<String> legs;
    private long ships;
    private long disables;
    private long enables;
    private long refusedDisables;

    @Test
    void journalVerbsCutAndCutAgainLeaveEveryListedImageWholeAndLoseNoAcknowledgedWrite() throws Exception {
        Path template = tmp.resolve("template");
        Path storeTemplate = tmp.resolve("store-template");
        TestPools.create(template, Layout.RAID5, 3, JournaledPools.DRIVE, TRACK);
        try (Pool pool = Pool.open(template)) {
            legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            initial = ResumedJobCutAgainTest.filled(pool.device("v"), 31);
            pool.device("v").flush();
            // journaled from the start (its base made), so the runs' cuts fall among ships, disables and enables
            Files.createDirectories(tmp.resolve("store"));
            assertThat(pool.journals().enable("v", legs, tmp.resolve("store"), 900 * 1024, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
        Files.move(tmp.resolve("store"), storeTemplate);
        CutRuns.multiCut("JournalVerbsCutAgainTest", "journalverbs.only", "", tmp, OPENINGS, 8, 60,
                (runDir, cuts, seed) -> run(template, storeTemplate, runDir, cuts, seed));
        System.out.println("JournalVerbsCutAgainTest: " + ships + " ships reported done, " + disables + " disables, "
                + enables + " enables returned over the runs, " + refusedDisables + " disables refused while a ship ran");
    }

    /** What a run knows across its openings. */
    private static final class Run {
        AckOracle v;
        /** Images of ships reported done (DONE). */
        final Set<String> shipped = new LinkedHashSet<>();
        /** True: an enable returned and no disable since; false: a disable returned since; null: a verb was cut. */
        Boolean onRecord;
    }

    private long[] run(Path template, Path storeTemplate, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        Path store = tmp.resolve("store"); // one place: pool.json names the journal's store by its path
        if (Files.exists(store)) {
            TestPools.deleteDir(store);
        }
        TestPools.copyDir(template, dir);
        TestPools.copyDir(storeTemplate, store);
        Run r = new Run();
        r.onRecord = true;
        r.v = new AckOracle(initial);
        String name = "cuts " + Arrays.toString(cuts) + " seed " + seed;
        long[] writes = CutRuns.openings(dir, cuts, seed, name, new CutRuns.Opening() {
            @Override
            public void reopened(Pool pool, String what) throws Exception {
                JournalVerbsCutAgainTest.this.reopened(pool, r, store, what);
            }

            @Override
            public void session(Pool pool, FaultInjector inj, long s, String what) throws Exception {
                JournalVerbsCutAgainTest.this.session(pool, r, store, inj, s, what);
            }

            @Override
            public void closed(Pool pool) throws Exception {
                pool.close();
                r.v.allAcknowledged();
            }

            @Override
            public void crashed() {
                r.v.crashed();
            }
        });
        String what = name + ", finished";
        try (Pool p = Pool.open(dir)) {
            byte[] got = reopened(p, r, store, what);
            if (!p.journals().volumes().contains("v")) {
                assertThat(p.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
                r.onRecord = true;
            }
            p.awaitJobs(null);
            if (p.journals().status("v").base() == null) {
                Job b = JournalShipCutAgainTest.baseBackup(p, store);
                assertThat(b.await(60_000)).as(what + ": a new base").isTrue();
                assertThat(b.state()).as(what + ": the new base").isEqualTo(JobState.DONE);
            }
            p.awaitJobs(null);
            if (p.journals().status("v").entries() > 0) {
                Job last = p.journals().ship("v");
                last.await(60_000);
                assertThat(last.state()).as(what + ": the last ship: " + last.outcome()).isEqualTo(JobState.DONE);
            }
            String base = p.journals().status("v").base();
            TestPools.assertSameBytes(BackupTest.imageBytes(store, base), got, what + ": the store's last image against v");
            reopened(p, r, store, what + ", shipped");
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /** Everything a reopen must show (see the class note); returns v's bytes. */
    private static byte[] reopened(Pool pool, Run r, Path store, String what) throws Exception {
        byte[] got = ResumedJobCutAgainTest.readAll(pool.device("v"));
        assertThat(r.v.check(got)).as(what + ": v as reopened").isNull();
        boolean onRecord = pool.journals().volumes().contains("v");
        if (r.onRecord != null) {
            assertThat(onRecord).as(what + ": the journal on record (" + (r.onRecord ? "its enable returned"
                    : "its disable returned") + ")").isEqualTo(r.onRecord);
        }
        r.onRecord = onRecord;
        Set<String> listed = new LinkedHashSet<>();
        if (Files.exists(store.resolve("store.json"))) { // else no backup made it yet (none finished before the cut)
            DirectoryStore st = DirectoryStore.open(store, StorageFactory.real(), false);
            for (ImageInfo i : st.list()) {
                listed.add(i.id());
                ChainVerify.Verdict verdict = new ChainVerify(st).verify(i.id(), null);
                assertThat(verdict.ok()).as(what + ": image " + i.id() + " the store lists: " + verdict.sentence()).isTrue();
            }
        }
        assertThat(listed).as(what + ": the ships reported done").containsAll(r.shipped);
        if (onRecord && pool.journals().status("v").base() != null) {
            TestPools.assertSameBytes(JournaledPools.chainPlusJournal(pool, "v"), got,
                    what + ": the journal's base (" + pool.journals().status("v").base() + ") plus its entries against v");
        }
        return got;
    }

    private void session(Pool pool, Run r, Path store, FaultInjector inj, long seed, String what) throws Exception {
        Random rnd = new Random(seed);
        HostWriters w = new HostWriters(2, TRACK, ResumedJobCutAgainTest.readAll(pool.device("v"))).span(40);
        assertThat(r.v.check(w.model.currentCopy())).as(what + ": v before the writers").isNull();
        r.v = w.model;
        w.start(pool, seed, WRITES, inj::isCut);
        try {
            boolean writing = true;
            while (!inj.isCut() && writing) {
                writing = w.threads.stream().anyMatch(Thread::isAlive); // one more verb after their last write
                verb(pool, r, store, rnd, inj, what);
            }
        } finally {
            w.join();
        }
        assertThat(w.failure.get()).as(what + ": the writers").isNull();
        if (inj.isCut()) {
            throw new IOException("cut"); // ends the opening: said by cutOrFail
        }
    }

    /** One verb, as the journal's state allows; a verb the power cut leaves its record unknown. */
    private void verb(Pool pool, Run r, Path store, Random rnd, FaultInjector inj, String what) throws Exception {
        if (!pool.journals().volumes().contains("v")) {
            r.onRecord = null;
            Job enable = pool.journals().enable("v", legs, store, 900 * 1024, 0);
            r.onRecord = true;
            enables++;
            enable.await(60_000);
            return;
        }
        if (pool.journals().status("v").base() == null) {
            JournalShipCutAgainTest.baseBackup(pool, store).await(60_000);
            return;
        }
        if (rnd.nextInt(5) == 0) {
            r.onRecord = null;
            try {
                pool.journals().disable("v");
            } catch (PoolException refused) { // a ship under way (the watch's)
                r.onRecord = true;
                Thread.sleep(5);
                return;
            }
            r.onRecord = false;
            disables++;
            return;
        }
        Job ship;
        try {
            ship = pool.journals().ship("v");
        } catch (PoolException refused) {
            Thread.sleep(5); // nothing to ship yet, or a ship or backup under way: the writers go on
            return;
        }
        if (rnd.nextInt(4) == 0) {
            // a disable while the ship runs: refused (it would close the legs the ship reads), or, once the
            // ship ended, the journal is off
            r.onRecord = null;
            try {
                pool.journals().disable("v");
                assertThat(ship.state().isFinished()).as(what + ": a disable taken while a ship ran").isTrue();
                r.onRecord = false;
                disables++;
            } catch (PoolException refused) {
                r.onRecord = true;
                refusedDisables++;
            }
        }
        ship.await(60_000);
        if (ship.state() == JobState.DONE) {
            r.shipped.add(pool.journals().status("v").base());
            ships++;
        } else {
            assertThat(inj.isCut()).as(what + ": a ship " + ship.state() + " without a cut: " + ship.outcome()).isTrue();
        }
    }
}
