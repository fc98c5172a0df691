package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.log.WriteJournal;

/**
 * The staged backup journal (issue 12, seed 003): every write kept under a second scheme until it
 * is in the backup store, and a volume lost beyond its redundancy rebuilt exactly to its last
 * acknowledged write, whatever the power does during a ship or a rebuild.
 */
class JournalTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;
    private static final int WRITERS = 3;

    @TempDir
    Path tmp;

    private byte[] image;
    private List<String> members;
    private List<String> legs;

    /** A pool with volume v of {@code layout} holding a random image, two journal drives, the journal on and based. */
    private Path journaled(Path dir, Path store, Layout layout, int seed) throws Exception {
        int n = layout == Layout.RAID1 ? 2 : 3;
        TestPools.create(dir, layout, n, DRIVE, TRACK);
        members = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            members.add("d" + i);
        }
        try (Pool pool = Pool.open(dir)) {
            legs = List.of(pool.admin().addDrive(4 * DRIVE), pool.admin().addDrive(4 * DRIVE));
            image = new byte[(int) pool.volume("v").size()];
            new Random(seed).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            Files.createDirectories(store);
            Job base = pool.journals().enable("v", legs, store, 3 * DRIVE, 0);
            assertThat(base.await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
        return dir;
    }

    /** The volume's drives are lost beyond its redundancy: one failed by command, one whose image is gone. */
    private void loseBeyondRedundancy(Path dir) throws Exception {
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive(members.get(0));
        }
        Files.delete(dir.resolve("drives/" + members.get(1) + ".img"));
    }

    /** Writer threads with an oracle, each in its own region, overlapping their own earlier writes. */
    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"RAID5, 1", "RAID5, 2", "RAID1, 3", "RAID1, 4", "RAID3, 5", "RAID5, 6"})
    void aVolumeLostBeyondItsRedundancyIsRebuiltToItsLastAcknowledgedWrite(Layout layout, int seed) throws Exception {
        Path dir = journaled(tmp.resolve("pool"), tmp.resolve("store"), layout, seed);
        HostWriters w = new HostWriters(WRITERS, TRACK, image);
        AtomicBoolean never = new AtomicBoolean();
        try (Pool pool = Pool.open(dir)) {
            w.start(pool, seed, 120, never::get);
            Random rnd = new Random(seed);
            int ships = 0;
            while (w.threads.stream().anyMatch(Thread::isAlive)) { // ships at random points among the writes
                Thread.sleep(rnd.nextInt(40));
                try {
                    Job ship = pool.journals().ship("v");
                    if (rnd.nextBoolean()) {
                        assertThat(ship.await(60_000)).isTrue();
                    }
                    ships++;
                } catch (PoolException e) {
                    assertThat(e.getMessage()).containsAnyOf("is running", "holds no entry");
                }
            }
            w.join();
            pool.awaitJobs(null);
            w.flushed(pool);
            assertThat(w.failure.get()).isNull();
            assertThat(ships).isPositive();
            assertThat(pool.journals().status("v").lastShipResult()).startsWith("ok");
        }
        byte[] expect = w.model.currentCopy();
        loseBeyondRedundancy(dir);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            JournalAdmin.RebuildPreview preview = pool.journals().previewRebuild("v");
            assertThat(preview.lostDrives()).containsExactlyElementsOf(members.subList(0, 2));
            Job rebuild = pool.journals().rebuildFromBackup("v", List.of(), image.length / 2); // about two seconds
            byte[] atOnce = new byte[image.length];
            pool.device("v").read(0, ByteBuffer.wrap(atOnce));
            TestPools.assertSameBytes(atOnce, expect, "read at once, during the rebuild");
            byte[] more = new byte[3 * TRACK + 5];
            new Random(seed + 50).nextBytes(more);
            pool.device("v").write(7 * TRACK + 3, ByteBuffer.wrap(more)); // a write during the rebuild
            System.arraycopy(more, 0, expect, 7 * TRACK + 3, more.length);
            assertThat(rebuild.await(60_000)).isTrue();
            assertThat(rebuild.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "the rebuilt volume");
            assertThat(pool.admin().verify("v", false, null)).isZero();
            pool.device("v").flush();
            assertThat(pool.journals().ship("v").await(60_000)).isTrue(); // the journal goes on after a rebuild
        }
        // lost again: the chain with the ship after the rebuild and the journal still make the volume
        loseBeyondRedundancy(dir);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "rebuilt a second time");
        }
    }

    @Test
    void spareDrivesNamedForTheRebuildTakeTheLostDrivesPlaces() throws Exception {
        Path dir = journaled(tmp.resolve("pool"), tmp.resolve("store"), Layout.RAID5, 7);
        List<String> spares;
        try (Pool pool = Pool.open(dir)) {
            spares = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            pool.device("v").write(5, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            pool.device("v").flush();
        }
        image[5] = 1;
        image[6] = 2;
        image[7] = 3;
        loseBeyondRedundancy(dir);
        try (Pool pool = Pool.open(dir)) {
            assertThatThrownBy(() -> pool.journals().rebuildFromBackup("v", List.of(spares.get(0)), 0))
                    .isInstanceOf(PoolException.class).hasMessageContaining("lost 2 drives (d1, d2); --drives names 2 SPARE");
            assertThatThrownBy(() -> pool.journals().rebuildFromBackup("v", List.of(spares.get(0), legs.get(0)), 0))
                    .isInstanceOf(PoolException.class).hasMessageContaining("only a SPARE drive can take d2's place");
            assertThat(pool.volume("v").state()).as("refused: nothing changed").isEqualTo(VolumeState.FAILED);
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.events().addListener(events::add);
            Job rebuild = pool.journals().rebuildFromBackup("v", spares, TRACK);
            assertThat(pool.snapshot().volume("v").restore().rebuild()).as("shown as a rebuild").isTrue();
            rebuild.setThrottle(0);
            assertThat(rebuild.await(60_000)).isTrue();
            pool.events().drain();
            assertThat(events).extracting(Event::message).anyMatch(m -> m.contains("rebuild of v started from image") && m.contains(" plus 1 journal entry: "))
                    .noneMatch(m -> m.contains("protects nothing"));
            // its history line (and so the app's notice of its end) names it a rebuild, not an instant restore
            JobHistory.Entry ended = pool.jobHistory().list().get(pool.jobHistory().list().size() - 1);
            assertThat(ended.kind()).isEqualTo("instant-restore");
            assertThat(ended.line()).startsWith("rebuild of v from image ").contains(" plus the journal DONE in ");
            assertThat(pool.journals().status("v").protecting()).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "rebuilt onto the spares");
            assertThat(pool.snapshot().volume("v").drives()).containsExactly(spares.get(0), spares.get(1), "d3");
            assertThat(pool.snapshot().drive("d1").state()).isEqualTo(DriveState.FAILED);
        }
        try (Pool pool = Pool.open(dir)) { // and so it stays
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "after reopening");
        }
    }

    @Test
    void entriesLiveAcrossOpeningsUntilShippedAndTheStatusSaysWhatIsThere() throws Exception {
        Path dir = journaled(tmp.resolve("pool"), tmp.resolve("store"), Layout.RAID5, 8);
        try (Pool pool = Pool.open(dir)) {
            pool.device("v").write(0, ByteBuffer.wrap(new byte[1 << 16]));
            pool.device("v").flush();
        }
        try (Pool pool = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            JournalAdmin.Status s = pool.journals().status("v");
            assertThat(s.entries()).isEqualTo(1);
            assertThat(s.bytes()).isGreaterThanOrEqualTo(1 << 16);
        }
        try (Pool pool = Pool.open(dir)) {
            pool.device("v").write(1 << 16, ByteBuffer.wrap(new byte[100]));
            pool.device("v").flush();
            assertThat(pool.journals().status("v").entries()).isEqualTo(2);
            assertThat(pool.journals().ship("v").await(60_000)).isTrue();
            JournalAdmin.Status s = pool.journals().status("v");
            assertThat(s.entries()).isZero();
            assertThat(s.lastShipResult()).startsWith("ok: image v-").contains("-journal");
            assertThatThrownBy(() -> pool.journals().ship("v")).hasMessageContaining("holds no entry to ship");
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().status("v").entries()).as("shipped entries stay gone").isZero();
            pool.device("v").write(0, ByteBuffer.wrap(new byte[] {9}));
            pool.device("v").flush();
            assertThat(pool.journals().status("v").entries()).isEqualTo(1);
        }
    }

    /**
     * The power goes at every write index of a run that ships the journal while hosts write, then
     * closes, reopens and ships again: after reopening, the volume holds its acknowledged writes,
     * and the backup chain plus the journal rebuild it exactly (no entry lost, none applied twice).
     */
    @Test
    void aPowerCutDuringAShipLosesNoEntryAndAppliesNoneTwice() throws Exception {
        Path template = tmp.resolve("template");
        Path store = tmp.resolve("template-store");
        journaled(template, tmp.resolve("store"), Layout.RAID5, 9);
        HostWriters before = new HostWriters(WRITERS, TRACK, image);
        try (Pool pool = Pool.open(template)) {
            before.start(pool, 9, 40, () -> false);
            before.join();
            before.flushed(pool);
        }
        TestPools.copyDir(tmp.resolve("store"), store);
        byte[] start = before.model.currentCopy();
        try (Pool pool = Pool.open(template)) {
            TestPools.assertSameBytes(JournaledPools.chainPlusJournal(pool, "v"), start, "the template's chain plus journal");
        }
        String only = System.getProperty("journal.only", ""); // "ship:CUT:SEED" runs that one cut
        if (only.startsWith("ship:")) {
            String[] a = only.split(":");
            for (int r = 0; r < (a.length > 3 ? Integer.parseInt(a[3]) : 1); r++) { // ":N" repeats it
                shipRun(template, store, start, tmp.resolve("only"), Long.parseLong(a[1]), Long.parseLong(a[2]));
            }
            return;
        }
        long total = shipRun(template, store, start, tmp.resolve("count"), 0, 1);
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        int points = all ? (int) total : "true".equals(System.getenv("CI")) ? 40 : 80;
        for (int i = 1; i <= points; i++) {
            long cut = all ? i : Math.max(1, total * i / points);
            for (int seed = 1; seed <= 2; seed++) {
                shipRun(template, store, start, tmp.resolve("cut-" + cut + "-" + seed), cut, cut * 10 + seed);
            }
        }
    }

    /** A run's pool from the template and the store afresh; the injector cuts after write {@code cut}. */
    private FaultInjector freshRun(Path template, Path storeTemplate, Path dir, long cut, long seed) throws Exception {
        TestPools.copyDir(template, dir);
        freshStore(storeTemplate, tmp.resolve("store"));
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, (int) (seed % 2) * 512, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
    }

    /**
     * The power goes: the writers have stopped without a wrong read, unforced writes land or not,
     * and {@code pool} (still open when the cut came) is dropped. Returns the writes the run made.
     */
    private static long powerGoes(FaultInjector inj, Pool pool, HostWriters w, long cut, long seed) throws Exception {
        w.join();
        assertThat(w.failure.get()).as("cut %d seed %d", cut, seed).isNull();
        long writes = inj.writeCount();
        inj.crash();
        if (pool != null) {
            pool.abandon();
        }
        return writes;
    }

    private long shipRun(Path template, Path storeTemplate, byte[] start, Path run, long cut, long seed) throws Exception {
        Path dir = run.resolve("pool");
        FaultInjector inj = freshRun(template, storeTemplate, dir, cut, seed);
        HostWriters w = new HostWriters(WRITERS, TRACK, start);
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            Job ship = pool.journals().ship("v");
            w.start(pool, seed, 15, inj::isCut);
            w.join();
            ship.await(30_000);
            if (Boolean.getBoolean("journal.debug")) {
                System.out.println("cut " + cut + " ship " + ship.state() + " writes " + inj.writeCount() + " rec "
                        + pool.journalRecords.get("v"));
            }
            long t = w.clock.incrementAndGet();
            pool.close();
            w.model.flushed(t);
            pool = Pool.open(dir, inj);
            if (pool.journals().status("v").entries() > 0) {
                pool.journals().ship("v").await(30_000);
            }
            pool.close();
            pool = null;
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw new AssertionError("cut " + cut + ": failed without a cut: " + e, e);
            }
        }
        long writes = powerGoes(inj, pool, w, cut, seed);
        if (cut > 0) {
            checkRebuildsExactly(dir, w.model, "cut " + cut + " seed " + seed);
        }
        TestPools.deleteDir(run);
        return writes;
    }

    /**
     * After a crash: the reopened volume holds its acknowledged writes, and losing it beyond its
     * redundancy and rebuilding it from the chain plus the journal gives back exactly those bytes.
     */
    private void checkRebuildsExactly(Path dir, AckOracle model, String what) throws Exception {
        byte[] volume;
        try (Pool pool = Pool.open(dir)) {
            pool.jobs().forEach(j -> j.setThrottle(0));
            pool.awaitJobs(null);
            volume = TestPools.readAll(pool.volume("v"));
            assertThat(model.check(volume)).as("%s: the volume after reopening", what).isNull();
            assertThat(pool.journals().status("v").protecting()).as("%s: the journal protects the volume", what).isTrue();
            byte[] made = JournaledPools.chainPlusJournal(pool, "v");
            int m = java.util.Arrays.mismatch(made, volume);
            if (m >= 0) {
                PoolConfig.JournalRecord rec = pool.journalRecords.get("v");
                StringBuilder h = new StringBuilder(what + ": the chain of " + rec.base() + " plus entries from "
                        + rec.shippedThrough() + " differs from the volume at " + m + "; entries there:");
                var j = pool.journals.get("v").journal;
                int mEnd = m;
                while (mEnd < made.length && made[mEnd] != volume[mEnd]) {
                    mEnd++;
                }
                h.append(" (differing bytes ").append(m).append("..").append(mEnd).append(", first: chain+journal ").append(made[m])
                        .append(", volume ").append(volume[m]).append(")");
                for (var e : j.entries(0, Long.MAX_VALUE)) {
                    if (e.offset() <= m && m < e.end()) {
                        byte[] d = new byte[(int) e.length()];
                        j.readData(e.seq(), 0, ByteBuffer.wrap(d));
                        h.append(" [seq ").append(e.seq()).append(" at ").append(e.offset()).append("+").append(e.length())
                                .append(org.splitpoint.engine.io.Zeros.isZero(ByteBuffer.wrap(d)) ? ", zeros" : "")
                                .append(", byte there ").append(d[(int) (m - e.offset())]).append("]");
                    }
                }
                h.append("; dirty at open:");
                for (long[] r : pool.volume("v").crashDirtyVolumeRanges()) {
                    h.append(" ").append(r[0]).append("-").append(r[1]);
                }
                throw new AssertionError(h.toString());
            }
        }
        loseBeyondRedundancy(dir);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), volume, what + ": rebuilt from chain + journal");
        }
    }


    /** pool.json names the journal's store by path: each run gets a fresh copy of the template's, at that path. */
    private static void freshStore(Path template, Path live) throws Exception {
        if (Files.exists(live)) {
            TestPools.deleteDir(live);
        }
        TestPools.copyDir(template, live);
    }

    /**
     * The power goes at write indexes spread over a rebuild with hosts writing, reading and
     * flushing beside it (and over the reopen after a clean close): reopened and finished, the
     * volume holds every acknowledged write, and the chain plus the journal still make it.
     */
    @Test
    void aPowerCutDuringARebuildLosesNothingAcknowledged() throws Exception {
        Path template = tmp.resolve("template");
        Path store = tmp.resolve("template-store");
        journaled(template, tmp.resolve("store"), Layout.RAID5, 10);
        HostWriters before = new HostWriters(WRITERS, TRACK, image);
        try (Pool pool = Pool.open(template)) {
            before.start(pool, 10, 40, () -> false);
            before.join();
            before.flushed(pool);
        }
        loseBeyondRedundancy(template);
        TestPools.copyDir(tmp.resolve("store"), store);
        byte[] start = before.model.currentCopy();
        String only = System.getProperty("journal.only", ""); // "rebuild:CUT:SEED" runs that one cut
        if (only.startsWith("rebuild:")) {
            String[] a = only.split(":");
            for (int r = 0; r < (a.length > 3 ? Integer.parseInt(a[3]) : 1); r++) { // ":N" repeats it
                rebuildRun(template, store, start, tmp.resolve("only"), Long.parseLong(a[1]), Long.parseLong(a[2]));
            }
            return;
        }
        long total = rebuildRun(template, store, start, tmp.resolve("count"), 0, 1);
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        int points = all ? (int) total : "true".equals(System.getenv("CI")) ? 30 : 60;
        for (int i = 1; i <= points; i++) {
            long cut = all ? i : Math.max(1, total * i / points + (i % 3));
            for (int seed = 1; seed <= 2; seed++) {
                rebuildRun(template, store, start, tmp.resolve("cut-" + cut + "-" + seed), cut, cut * 10 + seed);
            }
        }
        // the rebuild's start, every index, whatever the sampling: the restore map, then the
        // pool.json that records the restore and the blank drives (a cut at 3 once left the
        // blanks taken for the lost drives come back)
        for (long cut = 1; cut <= 6 && !all; cut++) {
            for (int seed = 1; seed <= 2; seed++) {
                rebuildRun(template, store, start, tmp.resolve("start-" + cut + "-" + seed), cut, cut * 10 + seed);
            }
        }
    }

    private long rebuildRun(Path template, Path storeTemplate, byte[] start, Path run, long cut, long seed) throws Exception {
        Path dir = run.resolve("pool");
        FaultInjector inj = freshRun(template, storeTemplate, dir, cut, seed);
        HostWriters w = new HostWriters(WRITERS, TRACK, start);
        Pool pool = null;
        boolean started = false;
        try {
            pool = Pool.open(dir, inj);
            Job rebuild = pool.journals().rebuildFromBackup("v", List.of(), start.length * 2L);
            started = true;
            w.start(pool, seed, 20, inj::isCut);
            w.join();
            rebuild.await(30_000);
            long t = w.clock.incrementAndGet();
            pool.close();
            w.model.flushed(t);
            pool = Pool.open(dir, inj);
            pool.awaitJobs(null);
            pool.close();
            pool = null;
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw new AssertionError("cut " + cut + ": failed without a cut: " + e, e);
            }
        }
        long writes = powerGoes(inj, pool, w, cut, seed);
        if (cut > 0) {
            boolean tookEffect;
            try (Pool reopened = Pool.open(dir)) {
                tookEffect = started || reopened.instantRestores().restoreOf("v") != null
                        || reopened.volume("v").state() != VolumeState.FAILED;
                if (!tookEffect) {
                    assertThat(reopened.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
                }
            }
            checkRebuildsExactly(dir, w.model, "cut " + cut + " seed " + seed);
        }
        TestPools.deleteDir(run);
        return writes;
    }

    /**
     * A crash during an instant restore of a journaled volume (a rebuild from backup, or a plain
     * restore from the journal's store, which becomes its base), in the state a host write to a
     * track the restore still owes can leave: its entry reached the journal (another writer's
     * flush forced the legs), its bytes did not reach the volume, the track's owed bit was still
     * set on disk (its clear is committed only after a flush of the volume), and its write-intent
     * bit had already cleared (other writers' flushes clear a track idle for two intervals). The
     * reopened restore copies the track again from its source; the journal must take it again
     * too, or chain + journal would no longer make the volume. (The rebuild crash sweep above
     * reaches this state only now and then.)
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"rebuild, RAID1", "rebuild, RAID5", "restore, RAID5"})
    void aWriteJournaledOnATrackARestoreStillOwesIsJournaledAgainAfterACrash(String kind, Layout layout) throws Exception {
        Path dir = journaled(tmp.resolve("pool"), tmp.resolve("store"), layout, 15);
        AckOracle model = new AckOracle(image);
        if (kind.equals("rebuild")) {
            loseBeyondRedundancy(dir);
        } else {
            try (Pool pool = Pool.open(dir)) {
                write(pool, new byte[image.length], 0, 9000); // undone by the restore
            }
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 15);
        Pool pool = Pool.open(dir, inj);
        if (kind.equals("rebuild")) {
            pool.journals().rebuildFromBackup("v", List.of(), 1); // the copy crawls: the last tracks stay owed
        } else {
            pool.instantRestores().restore("v", tmp.resolve("store"), null, false, 1);
        }
        byte[] d = new byte[TRACK / 2];
        new Random(15).nextBytes(d);
        long at = image.length - 3L * TRACK + 100;
        WriteJournal journal = pool.journals.get("v").journal;
        assertThat(journal.append(at, ByteBuffer.wrap(d))).isGreaterThanOrEqualTo(0);
        journal.sync(); // the entry is durable; the volume never took the write
        model.wrote(at, d, Long.MAX_VALUE); // never acknowledged: either bytes may be there
        inj.crash();
        pool.abandon();
        checkRebuildsExactly(dir, model, kind + " " + layout);
    }

    @Test
    void aWriteThatReachedTheVolumeButNotTheJournalBeforeACrashIsJournaledAtOpen() throws Exception {
        Path template = journaled(tmp.resolve("template"), tmp.resolve("store"), Layout.RAID1, 11);
        for (int seed = 1; seed <= 12; seed++) {
            Path dir = tmp.resolve("run-" + seed);
            TestPools.copyDir(template, dir);
            FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, seed);
            Pool pool = Pool.open(dir, inj);
            byte[] d = new byte[2 * TRACK];
            new Random(seed).nextBytes(d);
            pool.device("v").write(3 * TRACK, ByteBuffer.wrap(d)); // not flushed: lands in part, or not, per file
            inj.crash();
            pool.abandon();
            AckOracle model = new AckOracle(image);
            model.wrote(3 * TRACK, d, Long.MAX_VALUE);
            checkRebuildsExactly(dir, model, "seed " + seed);
        }
    }

    /**
     * A crash leaves writes that reached the journal but not the volume (or the other way round);
     * the power goes again at every write index of the open that recovers from it (the member
     * resync, the write-intent bitmap, the journal's re-journaled tracks): the next open still finds
     * the tracks the first crash left uncertain, so the chain plus the journal make the volume.
     */
    @Test
    void aPowerCutDuringTheRecoveryFromACrashLeavesNothingUncertainBehind() throws Exception {
        Path template = journaled(tmp.resolve("template"), tmp.resolve("store"), Layout.RAID5, 14);
        Path store = tmp.resolve("template-store");
        TestPools.copyDir(tmp.resolve("store"), store);
        for (int seed = 1; seed <= 6; seed++) {
            // the first crash: two unflushed writes land on some files and not on others
            Path crashed = tmp.resolve("crashed-" + seed);
            TestPools.copyDir(template, crashed);
            FaultInjector first = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, seed);
            Pool pool = Pool.open(crashed, first);
            AckOracle model = new AckOracle(image);
            Random rnd = new Random(seed);
            for (int k = 0; k < 2; k++) {
                byte[] d = new byte[(1 + rnd.nextInt(3)) * TRACK / 2];
                rnd.nextBytes(d);
                long at = (long) rnd.nextInt((image.length - d.length) / 512) * 512;
                model.wrote(at, d, Long.MAX_VALUE);
                pool.device("v").write(at, ByteBuffer.wrap(d));
            }
            first.crash();
            pool.abandon();
            // how many writes the recovering open makes, then a power cut after each of them
            long writes = recoveringOpen(crashed, store, tmp.resolve("count-" + seed), 0, seed);
            assertThat(writes).as("seed %d: the recovering open writes", seed).isPositive();
            for (long cut = 1; cut <= writes; cut++) {
                Path run = tmp.resolve("recover-" + seed + "-" + cut);
                recoveringOpen(crashed, store, run, cut, seed * 1000 + cut);
                checkRebuildsExactly(run, model, "seed " + seed + ", cut " + cut + " of the recovering open");
                TestPools.deleteDir(run);
            }
            TestPools.deleteDir(crashed);
        }
    }

    /** Opens a copy of {@code crashed} at {@code run} with the power cut after write {@code cut} (0: none); returns the writes made. */
    private long recoveringOpen(Path crashed, Path storeTemplate, Path run, long cut, long seed) throws Exception {
        FaultInjector inj = freshRun(crashed, storeTemplate, run, cut, seed);
        Pool pool = null;
        try {
            pool = Pool.open(run, inj);
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw new AssertionError("cut " + cut + ": the open failed without a cut: " + e, e);
            }
        }
        long writes = inj.writeCount();
        inj.crash();
        if (pool != null) {
            pool.abandon();
        }
        return writes;
    }

    @Test
    void journalDrivesFailingOneThenBothLeaveTheVolumeServing() throws Exception {
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Path dir = journaled(tmp.resolve("pool"), tmp.resolve("store"), Layout.RAID5, 12);
        byte[] expect = image.clone();
        try (Pool pool = Pool.open(dir, inj)) {
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.events().addListener(events::add);
            write(pool, expect, 0, 100);
            pool.admin().failDrive(legs.get(0));
            write(pool, expect, TRACK, 200);
            pool.events().drain();
            JournalAdmin.Status s = pool.journals().status("v");
            assertThat(s.legsHealthy()).containsExactly(false, true);
            assertThat(s.unprotected()).isFalse();
            assertThat(s.entries()).isEqualTo(2);
            assertThat(events).anyMatch(e -> e.severity() == org.splitpoint.engine.event.Severity.WARNING
                    && e.message().contains("the journal carries on on the other one"));
            Path second = dir.resolve("drives/" + legs.get(1) + ".img");
            inj.eio(p -> p.equals(second), FaultInjector.Op.ANY, FaultInjector.Mode.FROM_NTH, 1, 1);
            write(pool, expect, 2 * TRACK, 300); // the volume keeps serving
            pool.events().drain();
            s = pool.journals().status("v");
            assertThat(s.unprotected()).isTrue();
            assertThat(events).anyMatch(e -> e.severity() == org.splitpoint.engine.event.Severity.CRITICAL
                    && e.message().contains("its writes are no longer journaled"));
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "the volume");
            assertThat(pool.snapshot().drive(legs.get(1)).state()).isEqualTo(DriveState.FAILED);
        }
        loseBeyondRedundancy(dir);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.openNotes()).anyMatch(n -> n.contains("has lost both its drives"));
            assertThatThrownBy(() -> pool.journals().rebuildFromBackup("v", List.of(), 0))
                    .isInstanceOf(PoolException.class).hasMessageContaining("lost both its drives");
        }
    }

    @Test
    void aReplacedJournalDriveGetsEveryEntryFromTheOther() throws Exception {
        Path dir = journaled(tmp.resolve("pool"), tmp.resolve("store"), Layout.RAID5, 13);
        byte[] expect = image.clone();
        try (Pool pool = Pool.open(dir)) {
            write(pool, expect, 0, 5000);
            pool.admin().failDrive(legs.get(0));
            write(pool, expect, 3 * TRACK, 7000);
            assertThat(pool.admin().replaceDrive(legs.get(0))).as("a journal drive is filled at once, no job").isNull();
            assertThat(pool.journals().status("v").legsHealthy()).containsExactly(true, true);
            pool.admin().failDrive(legs.get(1)); // now only the replaced one holds the journal
            write(pool, expect, 9 * TRACK, 100);
            assertThat(pool.journals().status("v").entries()).isEqualTo(3);
        }
        loseBeyondRedundancy(dir);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "rebuilt from the replaced journal drive");
        }
    }

    private static void write(Pool pool, byte[] expect, int off, int len) throws Exception {
        byte[] d = new byte[len];
        new Random(off + len).nextBytes(d);
        pool.device("v").write(off, ByteBuffer.wrap(d));
        pool.device("v").flush();
        System.arraycopy(d, 0, expect, off, len);
    }

    @Test
    void aFullJournalShipsBeforeItTakesMore() throws Exception {
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        members = List.of("d1", "d2", "d3");
        byte[] expect;
        try (Pool pool = Pool.open(dir)) {
            legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            expect = new byte[(int) pool.volume("v").size()];
            Files.createDirectories(tmp.resolve("store"));
            assertThat(pool.journals().enable("v", legs, tmp.resolve("store"), 256 * 1024, 0).await(60_000)).isTrue();
            Random rnd = new Random(14);
            for (int i = 0; i < 400; i++) { // 3.2 MiB through a journal of 1 MiB drives
                byte[] d = new byte[8192];
                rnd.nextBytes(d);
                int off = rnd.nextInt(expect.length - d.length);
                pool.device("v").write(off, ByteBuffer.wrap(d));
                System.arraycopy(d, 0, expect, off, d.length);
            }
            pool.device("v").flush();
            pool.awaitJobs(null);
            assertThat(pool.journals().status("v").protecting()).isTrue();
            assertThat(pool.journals().status("v").lastShipResult()).startsWith("ok");
        }
        image = expect;
        loseBeyondRedundancy(dir);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "rebuilt after ships made room");
        }
    }

    @Test
    void aRestoreFromTheJournalsStoreBecomesItsBase() throws Exception {
        Path dir = journaled(tmp.resolve("pool"), tmp.resolve("store"), Layout.RAID5, 15);
        byte[] expect = image.clone();
        try (Pool pool = Pool.open(dir)) {
            write(pool, new byte[image.length], 0, 9000); // undone by the restore
            Job restore = pool.instantRestores().restore("v", tmp.resolve("store"), null, false, TRACK);
            // a read of an owed track refills that one track: on RAID 5 a partial stripe, with
            // write-intent bits first, and still no journal entry (the base says those bytes)
            ByteBuffer one = ByteBuffer.allocate(100);
            pool.device("v").read(7L * TRACK + 11, one);
            assertThat(one.array()).isEqualTo(java.util.Arrays.copyOfRange(expect, 7 * TRACK + 11, 7 * TRACK + 111));
            restore.setThrottle(0);
            assertThat(restore.await(60_000)).isTrue();
            assertThat(pool.journals().status("v").entries()).as("the refills are not journaled").isZero();
            write(pool, expect, 5 * TRACK, 3000);
            assertThat(pool.journals().status("v").entries()).isEqualTo(1);
        }
        loseBeyondRedundancy(dir);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "rebuilt after a restore");
        }
    }

    /**
     * A write that finds the journal full where no job can ship it (a pool opened without jobs)
     * stops the journal protecting and returns; the ship and the re-basing backup it asks for
     * start on threads of their own (the backup takes the volume's gate exclusively, which the
     * writer holds shared).
     */
    @Test
    void aWriteIntoAFullJournalThatCannotShipReturnsAndSaysTheJournalStoppedProtecting() throws Exception {
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            List<String> two = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            Files.createDirectories(tmp.resolve("store"));
            assertThat(pool.journals().enable("v", two, tmp.resolve("store"), 256 * 1024, 0).await(60_000)).isTrue();
        }
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
                Random rnd = new Random(17);
                for (int i = 0; i < 200; i++) { // 1.6 MiB into legs of 1 MiB
                    byte[] d = new byte[8192];
                    rnd.nextBytes(d);
                    pool.device("v").write((long) rnd.nextInt((int) pool.volume("v").size() - d.length), ByteBuffer.wrap(d));
                }
                pool.device("v").flush();
            });
            assertThat(pool.journals().status("v").protecting()).as("full, and nothing could ship it").isFalse();
            // its first backup completed long ago: the journal lost its base, and says what gives it a new one
            assertThat(pool.journals().status("v").nextShip()).startsWith("once a backup into " + tmp.resolve("store"))
                    .contains("a new one after the journal stopped protecting the volume");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pool.journals().ship("v"))
                    .hasMessageStartingWith("the journal of v has no base: a backup into")
                    .hasMessageNotContaining("has not completed");
        }
    }

    @Test
    void aTrackIsCoveredOnlyWhenItsEntriesTogetherWriteEveryByte() throws Exception {
        Path dir = journaled(tmp.resolve("pool"), tmp.resolve("store"), Layout.RAID1, 16);
        try (Pool pool = Pool.open(dir)) {
            var j = pool.journals.get("v").journal;
            long from = j.nextSeq();
            pool.device("v").write(0, ByteBuffer.wrap(new byte[2000]));            // track 0: [0, 2000)
            pool.device("v").write(1500, ByteBuffer.wrap(new byte[TRACK - 1500])); // and [1500, end): all of it
            pool.device("v").write(TRACK, ByteBuffer.wrap(new byte[2000]));        // track 1: [0, 2000)
            pool.device("v").write(TRACK + 2001, ByteBuffer.wrap(new byte[TRACK - 2001])); // one byte left out
            pool.device("v").write(3L * TRACK - 10, ByteBuffer.wrap(new byte[2 * TRACK + 20])); // 3 and 4 whole, 2 and 5 not
            JournalOverlay o = new JournalOverlay(TRACK, j, from, j.nextSeq());
            assertThat(o.covers(0, TRACK)).isTrue();
            assertThat(o.covers(1, TRACK)).isFalse();
            assertThat(o.covers(1, 2000)).as("the track's first 2000 bytes").isTrue();
            assertThat(o.covers(2, TRACK)).isFalse();
            assertThat(o.covers(3, TRACK)).isTrue();
            assertThat(o.covers(4, TRACK)).isTrue();
            assertThat(o.covers(5, TRACK)).isFalse();
            assertThat(o.covers(6, TRACK)).as("no entry").isFalse();
        }
    }

    @Test
    void badInputIsRefusedInOneSentenceAndChangesNothing() throws Exception {
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        Path other = tmp.resolve("other-store");
        try (Pool pool = Pool.open(dir)) {
            for (int i = 0; i < 4; i++) {
                pool.admin().addDrive(0);
            }
            pool.admin().createVolume("w", Layout.RAID1, List.of("d6", "d7"), 0);
            pool.device("w").write(0, ByteBuffer.wrap(new byte[] {1}));
            assertThat(pool.backups().backup("w", other, true, 0).await(60_000)).isTrue();
        }
        byte[] config = Files.readAllBytes(dir.resolve("pool.json"));
        try (Pool pool = Pool.open(dir)) {
            JournalAdmin j = pool.journals();
            Path store = tmp.resolve("store");
            Files.createDirectories(store);
            assertThatThrownBy(() -> j.enable("v", List.of("d1", "d4"), store, 0, 0))
                    .hasMessage("drive d1 is a member of volume v; its journal must be on drives outside it (the second"
                            + " redundancy scheme)");
            assertThatThrownBy(() -> j.enable("v", List.of("d4", "d5"), tmp.resolve("nowhere"), 0, 0))
                    .hasMessageStartingWith("no backup store at ").hasMessageContaining("the directory does not exist");
            assertThatThrownBy(() -> j.enable("v", List.of("d4", "d5"), other, 0, 0))
                    .hasMessageContaining("holds backups of w, none of v");
            assertThatThrownBy(() -> j.enable("v", List.of("d4", "d4"), store, 0, 0))
                    .hasMessageContaining("two different ones");
            assertThatThrownBy(() -> j.enable("v", List.of("d4", "d6"), store, 0, 0))
                    .hasMessageContaining("drive d6 is ONLINE in volume w");
            assertThatThrownBy(() -> j.enable("v", List.of("d4", "d5"), store, -1, 0))
                    .hasMessageContaining("must be positive");
            assertThatThrownBy(() -> j.enable("v", List.of("d4", "d5"), store, 10 * DRIVE, 0))
                    .hasMessageContaining("leaves no room");
            assertThatThrownBy(() -> j.ship("v")).hasMessageContaining("has no journal; enable one");
            assertThatThrownBy(() -> j.rebuildFromBackup("v", List.of(), 0)).hasMessageContaining("is OPTIMAL");
            assertThat(pool.snapshot().drive("d4").state()).isEqualTo(DriveState.SPARE);
        }
        assertThat(Files.readAllBytes(dir.resolve("pool.json"))).as("pool.json unchanged").isEqualTo(config);
    }
}
