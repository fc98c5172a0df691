package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * NBD's durability promise against power cuts at many write indices, cut again what a cut left:
 * NbdPowerCutTest cuts once, after the flush; this one cuts anywhere. Each run has three openings,
 * each: the pool opened on an injector (unforced writes lost, write N torn at 512 B for odd seeds,
 * unsynced directory entries lost; for two seeds in three the images say they zero without writing,
 * as on ext4, so FAST_ZERO is taken and large zeroings go in large pieces), checked, served, two
 * writer connections (each its own half of the export; one with structured replies) sending
 * pipelined batches of unaligned writes, write-zeroes (with and without NO_HOLE, some FAST_ZERO,
 * some of megabytes), trims, some with FUA, and reads of ranges the batch does not change (which
 * must read as the answered requests left them), in pieces of 16 KiB so a request runs on several
 * workers, and a third connection sending FLUSHes (the server says CAN_MULTI_CONN); in one session
 * in three a drive image's force fails for want of space after the second FLUSH (its pages lost,
 * or for even seeds kept cached until a crash, as Linux leaves them), after which requests may
 * fail; in half the openings the images also force themselves in the background every 4 to 64 KiB
 * written, as RealStorage's do past 32 MiB (a failing force may then be one of those, its error
 * owed to the image's next force); then a clean close, a reopen that is checked, served again, and the power cut at a random
 * write index of that opening.
 *
 * <p>The oracle: every byte of a request answered before a FLUSH was sent that was then answered,
 * or of an answered FUA request, reads as that request left it (zeros for a zeroing or a trim: the
 * server's trims zero, see Requests); any other byte reads as its last promised value or as a later
 * request left it, never anything else. At the end the volume's members agree.
 *
 * <p>Scenes: RAID 1, RAID 5, RAID 5 with d2 in a service window (logging by data; brought back at
 * the end; degraded, so writes a failed force lost cannot be healed: every flush fails, the clean
 * close too, and the pool asks to be opened again, which the opening then does as after a cut), a
 * pair's STD served while its establish copies beneath (each session splits a synchronized pair and
 * establishes it again, before the clients connect or, for odd session seeds, between the first two
 * FLUSHes under them), and while its restore does (each session that finds no restore under way
 * splits the pair, writes the BCV and restores it before the clients connect; the STD must read as
 * the BCV once the restore began); at the end of a pair's run an establish and a split: the BCV must
 * equal the STD. Restores started under the clients (the writers held between two batches, every
 * request answered, for the restore's start only, between the flusher's first two FLUSHes; v then
 * reads as what it restores, the clients' writes over it): "pair-restore-live", the BCV given bytes
 * of its own on some tracks, then restored onto the STD, full or incremental, protected or not; and
 * "restore-raid1"/"restore-raid5", an instant restore of v from a full backup (reads of tracks not
 * restored fetched from it, partial writes merged, the bulk copy at 1 MiB/s) in each session that
 * finds none under way, resumed by the next opening, run to its end after the last: v must be the
 * image overlaid with every promised request. "raid1-holes": RAID 1 whose images always punch real
 * holes ({@link FaultInjector#punchesHoles}: a punch reads as zeros and is a hole at once, lost at a
 * cut unless forced, as an unforced write), with as many trims and zeroings without NO_HOLE, half of
 * them of megabytes, as writes; in the other scenes the images punch holes for two seeds in three.
 * 2 runs a scene by default, 30 with {@code -Dsplitpoint.longTests=true};
 * {@code -Dnbdcut.only=SCENE:C1,C2,C3:SEED} runs one, {@code -Dnbdcut.seedBase=N} picks other cuts and seeds, {@code -Dnbdcut.scenes=A,B} some scenes,
 * {@code -Dnbdcut.failForces=true} fails a force in every session, {@code -Dnbdcut.trace=true} says when.
 */
@Timeout(900)
class NbdCutAgainTest {

    private static final int TRACK = 4096;
    private static final int OPENINGS = 3;
    private static final int BATCHES = 10;
    private static final long DRIVE = 5 << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"raid1", "raid5", "raid5-window", "pair-establish", "pair-restore", "raid1-holes",
            "restore-raid1", "restore-raid5", "pair-restore-live"})
    void acknowledgedRequestsSurviveCutsAtAnyWriteThroughTheServer(String scene) throws Exception {
        Path template = tmp.resolve("template");
        Path storeTemplate = null;
        byte[] backedUp = null;
        if (scene.startsWith("restore")) {
            // v backed up in full (the image a restore brings back), then given other bytes below
            TestPools.create(template, scene.endsWith("raid1") ? Layout.RAID1 : Layout.RAID5,
                    scene.endsWith("raid1") ? 2 : 3, DRIVE, TRACK);
            storeTemplate = tmp.resolve("store-template");
            try (Pool p = Pool.open(template)) {
                backedUp = new byte[(int) p.device("v").size()];
                new Random(scene.hashCode() * 3L).nextBytes(backedUp);
                p.device("v").write(0, ByteBuffer.wrap(backedUp));
                assertThat(p.backups().backup("v", storeTemplate, true, 0).await(60_000)).isTrue();
            }
        } else if (scene.startsWith("pair")) {
            Pool.create(template, 4, DRIVE, TRACK, StorageFactory.real());
            try (Pool p = Pool.open(template)) {
                p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
                p.admin().createVolume("w", Layout.RAID1, List.of("d3", "d4"), 0);
                p.pairs().create("p", "v", "w");
                if (scene.startsWith("pair-restore")) {
                    assertThat(p.pairs().establish("p", true).await(30_000)).isTrue();
                    p.pairs().split(List.of("p"));
                }
            }
        } else {
            TestPools.create(template, scene.startsWith("raid1") ? Layout.RAID1 : Layout.RAID5,
                    scene.startsWith("raid1") ? 2 : 3, DRIVE, TRACK);
        }
        try (Pool p = Pool.open(template)) {
            byte[] image = new byte[(int) p.device("v").size()];
            new Random(scene.hashCode()).nextBytes(image);
            p.device("v").write(0, ByteBuffer.wrap(image));
        }
        Source source = new Source(storeTemplate, backedUp, false);
        String scenes = System.getProperty("nbdcut.scenes", "");
        if (!scenes.isEmpty() && !Arrays.asList(scenes.split(",")).contains(scene)) {
            return;
        }
        String one = System.getProperty("nbdcut.only", "");
        if (!one.isEmpty()) {
            String[] a = one.split(":");
            if (a.length == 2 || a[0].equals(scene)) { // SCENE:CUTS:SEED or CUTS:SEED
                run(scene, template, source, tmp.resolve("only"), Arrays.stream(a[a.length - 2].split(",")).mapToLong(Long::parseLong)
                        .toArray(), Long.parseLong(a[a.length - 1]));
            }
            return;
        }
        long[] counted = run(scene, template, source, tmp.resolve("count"), new long[OPENINGS], 1);
        System.out.println("NbdCutAgainTest " + scene + ": the openings of an uncut run write " + Arrays.toString(counted) + " times");
        long base = Long.getLong("nbdcut.seedBase", 0); // other cut indexes and seeds than the usual ones
        Random pick = new Random(scene.hashCode() * 7L + base);
        int n = Boolean.getBoolean("splitpoint.longTests") ? 30 : 2;
        for (int i = 0; i < n; i++) {
            long[] cuts = new long[OPENINGS];
            for (int k = 0; k < OPENINGS; k++) {
                cuts[k] = 1 + (long) (pick.nextDouble() * Math.max(1, counted[k]));
            }
            run(scene, template, source, tmp.resolve("run-" + i), cuts, 1 + i + 1000 * base);
        }
    }

    /** One run: {@code cuts[k]} cuts opening k+1 (0: at its end); returns each opening's writes. */
    private long[] run(String scene, Path template, Source template2, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        Source source = template2;
        if (template2.store() != null) {
            // for even seeds the checks read owed tracks as the image without fetching them, so the
            // next session's clients still find tracks to fetch and to merge their writes into
            source = new Source(runDir.resolve("store"), template2.image(), seed % 2 == 0);
            TestPools.copyDir(template2.store(), source.store());
        }
        long[] writes = new long[cuts.length];
        String name = scene + " cuts " + Arrays.toString(cuts) + " seed " + seed;
        long punched = 0;
        Model[] model = {null};
        byte[][] restoring = {null}; // what v reads as once a restore asked for and not yet seen on record is
        for (int k = 0; k < cuts.length; k++) {
            String what = name + ", opening " + (k + 1);
            FaultInjector inj = new FaultInjector(StorageFactory.real())
                    .powerCutAfterWrite(cuts[k], (int) ((seed * 10 + k) % 2) * 512, seed * 10 + k)
                    .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
            if (seed % 2 == 0) {
                inj.failedForcesKeepPagesCached(); // a force that fails leaves its pages read until a crash (ext4)
            }
            if ((seed * 10 + k) % 4 >= 2) {
                inj.writesBackEarly(4096L << ((seed + k) % 5)); // background forces beside the server's, as RealStorage's
            }
            if (seed % 3 != 0 || scene.endsWith("holes")) {
                // as ext4's images: FAST_ZERO taken, large zeroings in large pieces, holes punched for real
                inj.zeroesWithoutWriting().punchesHoles();
            }
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                reopened(pool, source, model, what, restoring);
                session(scene, pool, inj, source, model, restoring, seed * 100 + 2 * k, what);
                pool.close();
                model[0].allAcknowledged();
                pool = Pool.open(dir, inj);
                reopened(pool, source, model, what + " (after the clean close)", restoring);
                session(scene, pool, inj, source, model, restoring, seed * 100 + 2 * k + 1, what + " (after the clean close)");
            } catch (Exception e) {
                if (!inj.isCut() && !(scene.equals("raid5-window") && asksForAReopen(e))) {
                    throw new AssertionError(what + ": failed without a cut: " + e, e);
                }
                // else degraded, a drive lost writes at a failed force: no flush can succeed until the
                // pool is opened again (said so); the opening ends here as at a cut, nothing more promised
            }
            if (!inj.isCut()) {
                inj.cutNow();
            }
            writes[k] = inj.writeCount();
            punched += inj.holesPunched();
            inj.crash();
            if (pool != null) {
                pool.abandon();
            }
            if (model[0] != null) {
                model[0].crashed();
            }
        }
        if (scene.endsWith("holes") && Arrays.stream(cuts).allMatch(c -> c == 0)) { // a run cut early may punch none
            assertThat(punched).as(name + ": holes punched in the members' images").isPositive();
        }
        try (Pool pool = Pool.open(dir)) {
            reopened(pool, source, model, name + ", finished", restoring);
            if (scene.startsWith("restore")) {
                // the restore resumed at the opening runs to its end: the image overlaid with every promised write
                pool.jobs().forEach(j -> j.setThrottle(0));
                pool.awaitJobs(null);
                assertThat(pool.instantRestores().restoreOf("v")).as(name + ": the restore ended").isNull();
                check(pool, null, model[0], name + ", the restore ended");
            }
            if (scene.equals("raid5-window")) {
                pool.awaitJobs(null);
                var d = pool.snapshot().drive("d2");
                if (d.service() != null && "window".equals(d.service().phase())) {
                    Job j = pool.service().online("d2");
                    assertThat(j.await(60_000)).isTrue();
                    assertThat(j.state()).as(name + ": " + j.progress().message()).isEqualTo(JobState.DONE);
                }
                pool.awaitJobs(null);
                assertThat(pool.snapshot().drive("d2").state()).as(name).isEqualTo(DriveState.ONLINE);
                check(pool, null, model[0], name + ", with d2 back");
            }
            if (scene.startsWith("pair")) {
                pool.jobs().forEach(j -> j.setThrottle(0));
                pool.awaitJobs(null);
                if (state(pool) == PairState.Restored) {
                    pool.pairs().split(List.of("p"));
                }
                if (state(pool) != PairState.Synchronized) {
                    Job j = pool.pairs().establish("p", false);
                    assertThat(j.await(60_000)).isTrue();
                    assertThat(j.state()).as(name + ": the last establish").isEqualTo(JobState.DONE);
                }
                pool.pairs().split(List.of("p"));
                TestPools.assertSameBytes(TestPools.readAll(pool.volume("w")), TestPools.readAll(pool.volume("v")),
                        name + ": the BCV after the last establish and a split");
                assertThat(pool.admin().verify("w", false, null)).as(name + ": w's members agree").isZero();
            }
            assertThat(pool.admin().verify("v", false, null)).as(name + ": v's members agree").isZero();
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /** True when {@code e} is the pool's refusal to flush a degraded volume that lost writes at a failed force. */
    private static boolean asksForAReopen(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.splitpoint.engine.io.WritesLostException) {
                return true;
            }
        }
        return false;
    }

    /** True when the pair is not establishing nor established: split, or never established. */
    private static boolean establishes(Pool pool) throws Exception {
        PairState st = state(pool);
        return st == PairState.NeverEstab || st == PairState.Split;
    }

    private static PairState state(Pool pool) throws Exception {
        return pool.pairs().query("p").get(0).state();
    }

    /**
     * A reopening: v reads as the acknowledged requests allow; or, when the power went while a
     * restore was being started (no client writing meanwhile) and it is on record, as what it
     * restores (the BCV, the backup's image), which the model then starts from.
     */
    private static void reopened(Pool pool, Source source, Model[] m, String what, byte[][] restoring) throws Exception {
        assertThat(pool.openNotes()).as(what + ": a power cut is not damage").noneMatch(n -> n.contains("damaged or cut short"));
        if (restoring[0] != null) {
            byte[] restored = restoring[0];
            restoring[0] = null;
            boolean onRecord;
            if (pool.instantRestores().restoreOf("v") != null) {
                onRecord = true;
            } else if (pool.pairs().query(null).isEmpty()) {
                onRecord = false;
            } else {
                PairState st = state(pool);
                onRecord = st == PairState.RestInProg || st == PairState.Restored;
            }
            if (onRecord) {
                TestPools.assertSameBytes(readV(pool, source), restored, what + ": v once a restore cut short is on record");
                m[0] = new Model(restored);
                return;
            }
        }
        check(pool, source, m[0], what);
    }

    private static byte[] read(Pool pool, String volume) throws Exception {
        byte[] b = new byte[(int) pool.device(volume).size()];
        pool.device(volume).read(0, ByteBuffer.wrap(b));
        return b;
    }

    private static void check(Pool pool, Source source, Model m, String what) throws Exception {
        if (m != null) {
            assertThat(m.check(readV(pool, source))).as(what).isNull();
        }
    }

    /**
     * v as hosts read it; with {@code source.rawChecks()}, during an instant restore, without
     * fetching its owed tracks: those read as the image (no host wrote them since, or they would
     * be current), the others from the volume beneath. The owed tracks are taken first: a track
     * the copy restores meanwhile is then read as the image it now holds, never the other way.
     */
    private static byte[] readV(Pool pool, Source source) throws Exception {
        var restore = source == null || !source.rawChecks() ? null : pool.instantRestores().restoreOf("v");
        if (restore == null) {
            return read(pool, "v");
        }
        long[] owed = restore.owedTracks().toWords();
        byte[] b = TestPools.readAll(pool.volume("v"));
        for (int t = 0; (long) t * TRACK < b.length; t++) {
            if ((owed[t >>> 6] & (1L << (t & 63))) != 0) {
                int from = t * TRACK;
                System.arraycopy(source.image(), from, b, from, Math.min(TRACK, b.length - from));
            }
        }
        return b;
    }

    /**
     * One session: the scene's start (a window, an establish), v served, two writers and a flusher
     * until the writers are done or the power is cut; then the server closed. Throws once cut.
     */
    private static void session(String scene, Pool pool, FaultInjector inj, Source source, Model[] model,
                                byte[][] restoring, long seed, String what) throws Exception {
        if (scene.equals("raid5-window") && pool.snapshot().drive("d2").state() == DriveState.ONLINE) {
            pool.service().offline("d2", OfflineReason.RESET, LogMode.DATA);
        }
        // the establish starts before the clients for even seeds, after the flusher's first FLUSH for odd ones
        boolean establishLater = seed % 2 == 1;
        if (scene.equals("pair-establish") && establishLater && state(pool) == PairState.SyncInProg) {
            pool.jobs().forEach(j -> j.setThrottle(0)); // the last one ends first, so that this one can begin under the clients
            pool.awaitJobs(null);
        }
        if (scene.equals("pair-establish") && state(pool) == PairState.Synchronized) {
            pool.pairs().split(List.of("p")); // so that each session establishes again (incremental)
        }
        if (scene.equals("pair-establish") && !establishLater && establishes(pool)) {
            pool.pairs().establish("p", false, 2 << 20); // copies while the clients write
        }
        if (scene.startsWith("pair-restore")) {
            if (state(pool) == PairState.Restored || state(pool) == PairState.Synchronized) {
                pool.pairs().split(List.of("p"));
            }
            if (state(pool) == PairState.Split && scene.equals("pair-restore")) {
                if (Boolean.getBoolean("nbdcut.trace")) {
                    System.out.println(what + ": the BCV written, then restored under the clients");
                }
                // the BCV gets bytes of its own, then is restored: v reads as it once the restore is on record
                byte[] b = new byte[(int) pool.device("w").size()];
                new Random(seed * 11).nextBytes(b);
                pool.device("w").write(0, ByteBuffer.wrap(b));
                pool.device("w").flush();
                restoring[0] = b;
                pool.pairs().restore("p", false, false, 512 << 10);
                restoring[0] = null;
                TestPools.assertSameBytes(read(pool, "v"), b, what + ": v once the restore began");
                model[0] = new Model(b); // v reads as the BCV now, before any client writes
            }
        }
        // a restore started under the clients, between two FLUSHes, the writers held between two batches
        Callable<byte[]> restoreLater = null;
        if (scene.equals("pair-restore-live") && state(pool) == PairState.Split) {
            // the BCV gets bytes of its own on some tracks (an incremental restore copies those, and the
            // STD's changes), then, under the clients, is restored: full or not, protected or not
            Random r = new Random(seed * 17);
            int tracks = (int) (pool.device("w").size() / TRACK);
            for (int i = 0; i < tracks / 4; i++) {
                byte[] t = new byte[1 + r.nextInt(3 * TRACK)];
                r.nextBytes(t);
                pool.device("w").write(r.nextInt((int) pool.device("w").size() - t.length), ByteBuffer.wrap(t));
            }
            pool.device("w").flush();
            byte[] b = read(pool, "w");
            boolean full = r.nextBoolean();
            boolean protect = r.nextBoolean();
            restoreLater = () -> {
                if (Boolean.getBoolean("nbdcut.trace")) {
                    System.out.println(what + ": the pair restored under the clients, full " + full + ", protected " + protect);
                }
                restoring[0] = b;
                pool.pairs().restore("p", full, protect, 512 << 10);
                restoring[0] = null;
                return b;
            };
        }
        if (scene.startsWith("restore") && pool.instantRestores().restoreOf("v") == null) {
            restoreLater = () -> {
                if (Boolean.getBoolean("nbdcut.trace")) {
                    System.out.println(what + ": the backup restored under the clients");
                }
                restoring[0] = source.image();
                pool.instantRestores().restore("v", source.store(), null, false, 1 << 20); // about 5 s
                restoring[0] = null;
                return source.image();
            };
        }
        byte[] now = readV(pool, source);
        if (model[0] != null) {
            assertThat(model[0].check(now)).as(what + ": v before the clients").isNull();
        }
        Model m = new Model(now);
        model[0] = m;
        NbdServer server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), line -> { },
                NbdLimits.DEFAULT.withPieceBytes(16 << 10));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean writersDone = new AtomicBoolean();
        // in some sessions one force of a drive image fails for want of space after the second FLUSH
        // (its unforced writes lost, or with failedForcesKeepPagesCached still read until a crash):
        // requests may fail from then on, but a FLUSH or FUA answered must still hold
        boolean failAForce = Boolean.getBoolean("nbdcut.failForces") || new Random(seed * 13).nextInt(3) == 0;
        AtomicBoolean forcesFail = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        Pause pause = new Pause(2);
        Callable<byte[]> restore = restoreLater;
        try {
            Thread[] writers = new Thread[2];
            for (int w = 0; w < 2; w++) {
                int half = w;
                writers[w] = new Thread(() -> {
                    try (NbdTestClient c = new NbdTestClient(server.port())) {
                        if (half == 0) {
                            assertThat(c.structured()).isEqualTo(Nbd.REP_ACK);
                        }
                        c.go("v", Nbd.OPT_GO);
                        writer(c, half == 0, scene.endsWith("holes"), m, inj, forcesFail, pause, new Random(seed * 3 + half),
                                half * (m.size() / 2), m.size() / 2, what);
                    } catch (Throwable t) {
                        if (!inj.isCut()) {
                            failure.compareAndSet(null, t);
                        }
                    } finally {
                        pause.gone();
                    }
                }, "nbd-cut-writer-" + w);
                threads.add(writers[w]);
            }
            Thread flusher = new Thread(() -> {
                Random rnd = new Random(seed * 5);
                try (NbdTestClient c = new NbdTestClient(server.port())) {
                    c.go("v", Nbd.OPT_GO);
                    for (int flushes = 0; !writersDone.get() && !inj.isCut(); flushes++) {
                        if (flushes == 1 && establishLater && scene.equals("pair-establish") && establishes(pool)) {
                            pool.pairs().establish("p", false, 2 << 20); // under the writers, between two FLUSHes
                            if (Boolean.getBoolean("nbdcut.trace")) {
                                System.out.println(what + ": the establish began under the clients");
                            }
                        }
                        if (flushes == 1 && restore != null) {
                            // every batch sent so far answered, none sent until the restore is in place:
                            // v reads as what it restores from then on, the clients' writes over it
                            if (pause.hold(inj)) {
                                try {
                                    // (not read back whole here: the reads would fetch every track the restore owes)
                                    m.rebase(restore.call());
                                } finally {
                                    pause.release();
                                }
                            }
                        }
                        if (flushes == 2 && failAForce) {
                            forcesFail.set(true);
                            if (Boolean.getBoolean("nbdcut.trace")) {
                                System.out.println(what + ": a force of a drive image fails from now on");
                            }
                            inj.failForcesNoSpace(p -> p.getFileName().toString().matches("d\\d+\\.img"), 1);
                        }
                        long sent = m.tick();
                        c.request(Nbd.CMD_FLUSH, 0, 1, 0, 0, null);
                        NbdTestClient.Reply r = c.reply(h -> 0);
                        if (r.error() == 0) {
                            m.flushed(sent);
                        } else if (!inj.isCut() && !forcesFail.get()) {
                            throw new AssertionError(what + ": a FLUSH failed without a cut: error " + r.error());
                        }
                        Thread.sleep(rnd.nextInt(4));
                    }
                } catch (Throwable t) {
                    if (!inj.isCut()) {
                        failure.compareAndSet(null, t);
                    }
                }
            }, "nbd-cut-flusher");
            threads.add(flusher);
            threads.forEach(Thread::start);
            for (Thread t : writers) {
                joinOrSayWhy(t, what);
            }
            writersDone.set(true);
            joinOrSayWhy(flusher, what);
        } finally {
            writersDone.set(true);
            for (Thread t : threads) {
                t.join(10_000); // a hang was said above; the threads stay
            }
            try {
                server.close();
            } catch (IOException afterTheCut) {
                if (!inj.isCut()) {
                    throw afterTheCut;
                }
            }
        }
        if (failure.get() != null) {
            throw new AssertionError(what + ": a client failed without a cut: " + failure.get(), failure.get());
        }
        if (inj.isCut()) {
            throw new IOException("cut"); // ends the opening
        }
    }

    /**
     * Joins a client thread; one still waiting after two minutes (a session takes a second or two)
     * waits for a server that stopped answering: fails with the deadlocked threads, if any, and the
     * server's and engine's threads' stacks (the heal of ad3d293b hung a run for 7 minutes unsaid).
     */
    private static void joinOrSayWhy(Thread t, String what) throws InterruptedException {
        t.join(120_000);
        if (!t.isAlive()) {
            return;
        }
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] deadlocked = mx.findDeadlockedThreads();
        StringBuilder b = new StringBuilder(what + ": " + t.getName() + " still waits for the server after two minutes; ");
        b.append(deadlocked == null ? "no deadlock found" : deadlocked.length + " threads deadlocked").append('\n');
        for (var info : mx.getThreadInfo(deadlocked != null ? deadlocked : mx.getAllThreadIds(), true, true)) {
            if (info != null && (deadlocked != null || info.getThreadName().startsWith("splitpoint")
                    || info.getThreadName().startsWith("nbd-cut"))) {
                b.append(info.getThreadName()).append(' ').append(info.getThreadState());
                if (info.getLockOwnerName() != null) {
                    b.append(" on a lock held by ").append(info.getLockOwnerName());
                }
                for (StackTraceElement e : info.getStackTrace()) {
                    b.append("\n    at ").append(e);
                }
                b.append('\n');
            }
        }
        throw new AssertionError(b.toString());
    }

    /**
     * Batches of pipelined requests to [from, from + len), ranges apart within a batch, each batch
     * answered before the next; each batch may carry a read of a range the batch does not change,
     * which must read as the answered requests left it. With {@code structured}, the replies come
     * as structured chunks (reads as data and hole chunks).
     */
    private static void writer(NbdTestClient c, boolean structured, boolean holes, Model m, FaultInjector inj,
                               AtomicBoolean forcesFail, Pause pause, Random rnd, int from, int len, String what)
            throws IOException, InterruptedException {
        for (int b = 0; b < BATCHES && !inj.isCut(); b++) {
            pause.between();
            List<Op> batch = new ArrayList<>();
            int n = 1 + rnd.nextInt(6);
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(12);
                // with holes: as many zeroings and trims as writes, half of them of megabytes (holes punched)
                int type = holes ? (kind < 4 ? Nbd.CMD_WRITE : kind < 7 ? Nbd.CMD_WRITE_ZEROES : kind < 10 ? Nbd.CMD_TRIM : Nbd.CMD_READ)
                        : kind < 6 ? Nbd.CMD_WRITE : kind < 9 ? Nbd.CMD_WRITE_ZEROES : kind < 10 ? Nbd.CMD_TRIM : Nbd.CMD_READ;
                // some zeroings of megabytes: member rows given back (MemberZeros), whole stripes zeroed
                int length = 1 + rnd.nextInt(type != Nbd.CMD_WRITE && rnd.nextInt(holes ? 2 : 4) == 0 ? 5 << 19
                        : rnd.nextInt(4) == 0 ? 160 << 10 : 12 << 10);
                int at = from + rnd.nextInt(len - length);
                if (batch.stream().anyMatch(o -> at < o.offset + o.data.length && o.offset < at + length)) {
                    continue;
                }
                int flags = type != Nbd.CMD_READ && rnd.nextInt(4) == 0 ? Nbd.CMD_FLAG_FUA : 0;
                if (type == Nbd.CMD_WRITE_ZEROES) {
                    flags |= rnd.nextInt(holes ? 4 : 2) == 0 ? Nbd.CMD_FLAG_NO_HOLE : 0;
                    flags |= rnd.nextInt(4) == 0 ? Nbd.CMD_FLAG_FAST_ZERO : 0;
                }
                byte[] data = new byte[length];
                if (type == Nbd.CMD_WRITE) {
                    rnd.nextBytes(data);
                }
                batch.add(type == Nbd.CMD_READ ? new Op(at, data, type, flags) : m.sent(at, data, type, flags));
            }
            for (int i = 0; i < batch.size(); i++) {
                Op o = batch.get(i);
                c.request(o.type, o.flags, i, o.offset, o.data.length, o.type == Nbd.CMD_WRITE ? o.data : null);
            }
            for (int i = 0; i < batch.size(); i++) {
                long handle;
                int error;
                byte[] read = null;
                if (structured) {
                    NbdTestClient.Chunk k = c.chunk();
                    handle = k.handle();
                    Op o = batch.get((int) handle);
                    error = k.error();
                    if (o.type == Nbd.CMD_READ) {
                        read = new byte[o.data.length];
                        while (true) {
                            if (error == 0 && k.type() == Nbd.REPLY_TYPE_OFFSET_DATA) {
                                ByteBuffer d = k.data();
                                int at = (int) (d.getLong() - o.offset);
                                d.get(read, at, d.remaining());
                            } else if (error == 0 && k.type() == Nbd.REPLY_TYPE_OFFSET_HOLE) {
                                ByteBuffer d = k.data();
                                int at = (int) (d.getLong() - o.offset);
                                Arrays.fill(read, at, at + d.getInt(), (byte) 0);
                            }
                            if (k.done()) {
                                break;
                            }
                            k = c.chunk();
                            error = error != 0 ? error : k.error();
                        }
                    } else if (!k.done()) {
                        throw new AssertionError(what + ": more than one chunk for " + o);
                    }
                } else {
                    NbdTestClient.Reply r = c.reply(h -> batch.get((int) h).type == Nbd.CMD_READ ? batch.get((int) h).data.length : 0);
                    handle = r.handle();
                    error = r.error();
                    read = r.data();
                }
                Op o = batch.get((int) handle);
                if (error == 0 && o.type == Nbd.CMD_READ) {
                    if (!inj.isCut()) {
                        String wrong = m.readsAllowingFailed(o.offset, read);
                        if (wrong != null) {
                            throw new AssertionError(what + ": a read of " + o + " while served: " + wrong);
                        }
                    }
                } else if (error == 0) {
                    m.answered(o);
                } else if (error == Nbd.ENOTSUP && (o.flags & Nbd.CMD_FLAG_FAST_ZERO) != 0) {
                    m.refused(o);
                } else if (!inj.isCut() && !forcesFail.get()) {
                    throw new AssertionError(what + ": request " + o + " failed without a cut: error " + error);
                } else if (o.type != Nbd.CMD_READ) {
                    m.failed(o); // done in part, or not at all: its range reads old or new from now on
                }
            }
        }
    }

    /** The backup store a restore scene restores from (a copy per run) and the image it holds; nulls elsewhere. */
    record Source(Path store, byte[] image, boolean rawChecks) { }

    /** Holds the writers between two batches (each batch answered) while a restore is started. */
    static final class Pause {
        private final int writers;
        private boolean asked;
        private int parked;
        private int gone;

        Pause(int writers) {
            this.writers = writers;
        }

        /** A writer between batches: waits while a hold is asked. */
        synchronized void between() throws InterruptedException {
            if (!asked) {
                return;
            }
            parked++;
            notifyAll();
            while (asked) {
                wait();
            }
            parked--;
        }

        /** A writer that has ended (done, failed or cut). */
        synchronized void gone() {
            gone++;
            notifyAll();
        }

        /** Asks the hold and waits for every writer to be held or gone; false when the power went meanwhile (released). */
        synchronized boolean hold(FaultInjector inj) throws InterruptedException {
            asked = true;
            while (parked + gone < writers) {
                if (inj.isCut()) {
                    release();
                    return false;
                }
                wait(50);
            }
            return true;
        }

        synchronized void release() {
            asked = false;
            notifyAll();
        }
    }

    /** A request: its range and what it leaves there (zeros for a zeroing or trim); its answer's tick, and FUA. */
    static final class Op {
        final int offset;
        final byte[] data;
        final int type;
        final int flags;
        volatile long answered = Long.MAX_VALUE;
        volatile boolean durable;

        Op(int offset, byte[] data, int type, int flags) {
            this.offset = offset;
            this.data = data;
            this.type = type;
            this.flags = flags;
        }

        @Override
        public String toString() {
            return "type " + type + " flags " + flags + " at " + offset + "+" + data.length;
        }
    }

    /**
     * The oracle: the requests in the order they were sent (each writer's to its own half, one batch
     * after the other, the ranges of a batch apart), a request promised once answered with FUA or
     * answered before a FLUSH was sent that was answered.
     */
    static final class Model {
        private byte[] initial;
        private final List<Op> ops = new ArrayList<>();
        private final AtomicLong clock = new AtomicLong();
        private volatile long flushedBefore;
        private boolean all;

        private byte[] current;

        /**
         * What the volume reads as now (a restore began; no request in flight): every request before
         * it is replaced, promised or not.
         */
        synchronized void rebase(byte[] now) {
            initial = now.clone();
            current = now.clone();
            ops.clear();
            failed.clear();
        }

        Model(byte[] initial) {
            this.initial = initial;
            this.current = initial.clone();
        }

        private final List<Op> failed = new ArrayList<>();

        /** A request answered with an error: each of its bytes may hold the old value or its new one. */
        synchronized void failed(Op o) {
            failed.add(o);
        }

        /** Null when {@code got} at {@code offset} may be what is there now: what the answered requests left there (none in flight there), a failed request's bytes either way. */
        synchronized String readsAllowingFailed(int offset, byte[] got) {
            for (int i = 0; i < got.length; i++) {
                int b = offset + i;
                byte v = got[i];
                if (v != current[b] && failed.stream().noneMatch(o -> b >= o.offset && b < o.offset + o.data.length
                        && o.data[b - o.offset] == v)) {
                    return "byte " + b + " reads " + got[i] + ", not " + current[b];
                }
            }
            return null;
        }

        /** A FAST_ZERO answered ENOTSUP: nothing was touched. */
        synchronized void refused(Op o) {
            ops.remove(o);
        }

        int size() {
            return initial.length;
        }

        long tick() {
            return clock.incrementAndGet();
        }

        synchronized Op sent(int offset, byte[] data, int type, int flags) {
            Op o = new Op(offset, data, type, flags);
            ops.add(o);
            return o;
        }

        void answered(Op o) {
            synchronized (this) {
                System.arraycopy(o.data, 0, current, o.offset, o.data.length);
            }
            o.answered = tick();
            if ((o.flags & Nbd.CMD_FLAG_FUA) != 0) {
                o.durable = true;
            }
        }

        synchronized void flushed(long sent) {
            flushedBefore = Math.max(flushedBefore, sent);
        }

        synchronized void allAcknowledged() {
            all = true;
        }

        /** The power went: what was not promised never will be (later flushes are of another opening). */
        synchronized void crashed() {
            for (Op o : ops) {
                if (!promised(o)) {
                    o.answered = Long.MAX_VALUE;
                }
            }
        }

        private boolean promised(Op o) {
            return o.durable || o.answered < flushedBefore || (all && o.answered != Long.MAX_VALUE);
        }

        /** Null when {@code got} is what the promised requests allow, else the first offense. */
        synchronized String check(byte[] got) {
            byte[] base = initial.clone();
            int[] last = new int[initial.length];
            Arrays.fill(last, -1);
            for (int i = 0; i < ops.size(); i++) {
                Op o = ops.get(i);
                if (promised(o)) {
                    System.arraycopy(o.data, 0, base, o.offset, o.data.length);
                    Arrays.fill(last, o.offset, o.offset + o.data.length, i);
                }
            }
            for (int b = 0; b < got.length; b++) {
                if (got[b] == base[b]) {
                    continue;
                }
                boolean ok = false;
                for (int i = ops.size() - 1; i > last[b] && !ok; i--) {
                    Op o = ops.get(i);
                    ok = b >= o.offset && b < o.offset + o.data.length && o.data[b - o.offset] == got[b];
                }
                if (!ok) {
                    return "byte " + b + " reads " + got[b] + " but " + base[b] + " was promised"
                            + (last[b] < 0 ? " (the session's start)" : " by " + ops.get(last[b]))
                            + " and no later request wrote it";
                }
            }
            return null;
        }
    }
}
