package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.service.DeltaLog;

/**
 * A compaction of a service window's log renamed its new file over the old one, and the sync of
 * meta/ that makes the name durable failed, for the compaction and for the next flush. Before, that
 * flush's failure was said as a lost record ('lost a record'), and a data window went on by pointers
 * for it, a repository window was said stuck until the pool was opened again. Nothing was lost: the
 * records are in the file. Now the flush fails saying the name is not durable, once, and the next
 * flush whose sync succeeds acknowledges the writes; the window keeps its mode.
 *
 * <p>Three host writers write between the flushes; the power goes after the failed flush, or after
 * more writes and flushes (seeds); unforced writes land or not, names not synced are undone or not.
 * Reopened, every acknowledged write reads back, and again with d2 back; the members agree.
 */
@QuickServiceSteps(compactOften = true)
class CompactedNameNotDurableTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"data", "repository"})
    void aFlushThatCannotSyncACompactedNameLosesNothingAndSaysSo(String mode) throws Exception {
        Path template = tmp.resolve("template");
        TestPools.create(template, Layout.RAID5, 3, DRIVE, TRACK);
        byte[] image;
        try (Pool pool = Pool.open(template)) {
            image = new byte[(int) pool.volume("v").size()];
            new Random(5).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            pool.service().offline("d2", OfflineReason.RESET, mode.equals("data") ? LogMode.DATA : LogMode.REPOSITORY);
            pool.awaitJobs(null);
        }
        for (long seed = 1; seed <= 8; seed++) {
            run(template, image, tmp.resolve("run-" + seed), seed, mode);
        }
    }

    private void run(Path template, byte[] image, Path runDir, long seed, String mode) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        String what = mode + " seed " + seed;
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        HostWriters w = new HostWriters(3, TRACK, image);
        Pool pool = Pool.open(dir, inj);
        List<String> said = new CopyOnWriteArrayList<>();
        pool.events().addListener(e -> said.add(e.message()));
        ServiceWindow window = pool.windows.get("v");

        w.start(pool, seed, 12, inj::isCut);
        w.join();
        w.flushed(pool);
        window.awaitCompaction();

        inj.failDirectorySyncs(p -> p.endsWith("meta"), 2); // the compaction's sync, then the next flush's
        assertThat(window.log.compact()).as(what + ": the compaction switched").isTrue();
        writeWithoutFlush(pool, w, seed);
        Throwable failed = catchThrowable(() -> pool.device("v").flush());
        assertThat(failed).as(what + ": the flush after the unsynced rename").isNotNull();
        assertThat(DeltaLog.NameNotDurableException.class.isInstance(failed)
                || DeltaLog.NameNotDurableException.class.isInstance(failed.getCause())).as(what + ": " + failed).isTrue();
        pool.events().drain();
        assertThat(said).as(what + ": what was said").noneMatch(m -> m.contains("lost a record"));
        assertThat(said.stream().filter(m -> m.contains("could not be made durable")).count()).as(what + ": " + said)
                .isEqualTo(1);
        assertThat(window.record.mode()).as(what + ": the window's mode")
                .isEqualTo(mode.equals("data") ? LogMode.DATA : LogMode.REPOSITORY);

        if (seed % 2 == 0) { // the next flush syncs, and the writers go on, flushing
            w.flushed(pool);
            w.start(pool, seed + 100, 12, inj::isCut);
            w.join();
        }
        inj.cutNow();
        CutRuns.crash(inj, w, pool, what);
        ServiceCrashTest.check(dir, w, what);
        TestPools.deleteDir(runDir);
    }

    /** Three writers, each a few writes in its own region, none flushing. */
    private static void writeWithoutFlush(Pool pool, HostWriters w, long seed) throws Exception {
        int size = w.model.size();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int t = 0; t < 3; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                Random r = new Random(seed * 7 + id);
                try {
                    for (int k = 0; k < 6; k++) {
                        int len = 1 + r.nextInt(2 * TRACK);
                        int off = id * (size / 3) + r.nextInt(size / 3 - len);
                        byte[] d = new byte[len];
                        r.nextBytes(d);
                        int i = w.model.wrote(off, d, Long.MAX_VALUE);
                        pool.device("v").write(off, ByteBuffer.wrap(d));
                        w.model.returned(i, w.clock.incrementAndGet());
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "writer-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(errors).isEmpty();
    }
}
