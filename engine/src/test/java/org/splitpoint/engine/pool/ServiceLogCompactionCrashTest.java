package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;

/**
 * A service window's log is compacted (DeltaLog: its index copied into a new generation of its last
 * file, renamed over it) while host writers go on. The power goes at write indexes spread over two
 * openings of the window, each with compactions beside three host writers (a thread of the test
 * compacting besides the ones the flushes start, the slack 0 so they come often), and the drive's
 * return beside the writers. Unforced writes land or not, torn for odd seeds, and directory entries
 * not synced are lost (the injector). Reopened, every acknowledged write reads back in the window,
 * and again once the return gave the drive back; the members agree.
 *
 * <p>Modes: a data log; a repository in meta/; a repository whose SPARE is full, its overflow in
 * meta/ the file compacted. {@code -Dsplitpoint.longTests=true} cuts at every write index, with
 * more seeds; {@code -Dcompaction.only=MODE:CUT:SEED} runs one cut.
 */
@QuickServiceSteps(compactOften = true)
class ServiceLogCompactionCrashTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;
    private static final int WRITERS = 3;

    @TempDir
    Path tmp;

    /** RAID 5 "v" over d1..d3, written at random, d2 OFFLINE in a window of {@code mode}. Returns the volume's bytes. */
    private byte[] template(Path dir, String mode) throws Exception {
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            if (mode.equals("repository-spare")) {
                pool.admin().addDrive(DRIVE);
            }
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(5).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            pool.service().offline("d2", OfflineReason.RESET, mode.equals("data") ? LogMode.DATA : LogMode.REPOSITORY);
            pool.awaitJobs(null);
            if (mode.equals("repository-spare")) { // the SPARE full: the writes go on into meta/v.repo.1
                assertThat(pool.snapshot().drive("d2").service().repository()).isEqualTo("d4");
                Random r = new Random(6);
                for (int i = 0; i < 24; i++) { // 1.5 MiB of distinct bytes: more than the SPARE's 1 MiB can hold
                    byte[] d = new byte[64 * 1024];
                    r.nextBytes(d);
                    pool.device("v").write(i * 64 * 1024, ByteBuffer.wrap(d));
                    System.arraycopy(d, 0, image, i * 64 * 1024, d.length);
                    pool.device("v").flush();
                }
                assertThat(dir.resolve("meta").resolve("v.repo.1")).exists();
            }
            return image;
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"data", "repository", "repository-spare"})
    void aPowerCutAnywhereInACompactionLosesNothingAcknowledged(String mode) throws Exception {
        Path template = tmp.resolve("template");
        byte[] image = template(template, mode);
        String only = System.getProperty("compaction.only", "");
        if (!only.isEmpty()) {
            String[] a = only.split(":");
            if (a[0].equals(mode)) {
                run(template, image, tmp.resolve("only"), Long.parseLong(a[1]), Long.parseLong(a[2]), mode);
            }
            return;
        }
        AtomicInteger compactions = new AtomicInteger();
        long total = run(template, image, tmp.resolve("count"), 0, 1, mode, compactions);
        assertThat(compactions.get()).as("compactions in the counting run").isGreaterThan(1);
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        int points = all ? (int) total : 24;
        int seeds = all ? 4 : 2;
        for (int i = 1; i <= points; i++) {
            long cut = all ? i : Math.max(1, total * i / points);
            for (int seed = 1; seed <= seeds; seed++) {
                run(template, image, tmp.resolve("cut-" + cut + "-" + seed), cut, cut * 10 + seed, mode);
            }
        }
    }

    private long run(Path template, byte[] image, Path runDir, long cut, long seed, String mode) throws Exception {
        return run(template, image, runDir, cut, seed, mode, new AtomicInteger());
    }

    /** One run, cut after write {@code cut} (0: none, counting); returns the writes it made. */
    private long run(Path template, byte[] image, Path runDir, long cut, long seed, String mode, AtomicInteger compactions)
            throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        FaultInjector inj = CutRuns.injector(cut, seed);
        HostWriters w = new HostWriters(WRITERS, TRACK, image);
        AtomicReference<String> failure = new AtomicReference<>();
        String what = mode + " cut " + cut + " seed " + seed;
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            pool.events().addListener(e -> {
                if (e.message().contains("could not be compacted") && !inj.isCut()) {
                    failure.compareAndSet(null, e.message());
                }
            });
            writeAndCompact(pool, w, seed, inj, compactions, failure);
            w.closed(pool); // inside the window
            pool = Pool.open(dir, inj);
            assertThat(pool.snapshot().drive("d2").state()).as(what).isEqualTo(DriveState.OFFLINE);
            writeAndCompact(pool, w, seed + 1, inj, compactions, failure);
            w.returnBeside(pool, seed + 2, 8, inj::isCut);
            w.closed(pool);
            pool = null;
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, what);
        }
        assertThat(failure.get()).as(what + ": a compaction").isNull();
        long writes = CutRuns.crash(inj, w, pool, what);
        ServiceCrashTest.check(dir, w, what);
        TestPools.deleteDir(runDir);
        return writes;
    }

    /**
     * Host writers (12 writes each) and, beside them, up to three compactions of the window's log,
     * each once the writers made some progress since the last.
     */
    private static void writeAndCompact(Pool pool, HostWriters w, long seed, FaultInjector inj, AtomicInteger compactions,
                                        AtomicReference<String> failure) throws Exception {
        ServiceWindow window = pool.windows.get("v");
        w.start(pool, seed, 12, inj::isCut);
        List<Thread> writers = new ArrayList<>(w.threads);
        Thread compactor = new Thread(() -> {
            long seen = w.clock.get();
            int done = 0;
            try {
                while (done < 3 && !inj.isCut() && writers.stream().anyMatch(Thread::isAlive)) {
                    if (w.clock.get() < seen + 6) {
                        LockSupport.parkNanos(100_000); // (pacing only: each compaction copies the whole index)
                        continue;
                    }
                    seen = w.clock.get();
                    if (window.log.compact()) {
                        compactions.incrementAndGet();
                        done++;
                    }
                }
                // writers that ended before any was due (a loaded machine): one compaction still, so each
                // opening compacts and the counting run's check below holds (it failed once under load 14)
                if (done == 0 && !inj.isCut() && window.log.compact()) {
                    compactions.incrementAndGet();
                }
            } catch (Exception e) {
                if (!inj.isCut()) {
                    failure.compareAndSet(null, "compact: " + e);
                }
            }
        }, "test-compactor");
        compactor.start();
        w.join();
        compactor.join();
        window.awaitCompaction();
    }
}
