package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;

/**
 * A restore of a volume to its snapshot (the tracks written since copied back from the save area)
 * while a drive of the volume, or of the save area, fails a flush for want of space, hosts writing
 * beside from several threads; then a power cut. After the reopen (the restore resumed and done)
 * every track reads as the snapshot had it, or as a host write acknowledged by a flush put it
 * (a write not acknowledged: either).
 */
class SnapshotRestoreFlushNoSpaceTest {

    private static final int TRACK = 4096;
    private static final int TRACKS = 96;
    private static final int WRITERS = 3;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"none, 0", "d1.img, 1", "d1.img, 3", "d2.img, 2", "d5.img, 2", "d1.img|d2.img, 2"})
    void aRestoreBesideAFailedFlushEndsAsTheSnapshotAndTheAcknowledgedWrites(String failing, int count) throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        byte[] snap = fill(0x10);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            p.volume("v").write(0, ByteBuffer.wrap(snap));
            p.volume("v").flush();
            p.snapshots().create("v", "s");
            p.volume("v").write(0, ByteBuffer.wrap(fill(0x60)));
            p.volume("v").flush();
        }
        FaultInjector inj = SnapshotPools.cutting();
        Pool p = Pool.open(dir, inj);
        List<String> names = Arrays.asList(failing.split("\\|"));
        Job job = p.snapshots().restore("v", "s", false, 60L * TRACK);
        inj.failForcesNoSpace(f -> names.contains(f.getFileName().toString()), count);
        // per track: the bytes a flush acknowledged, and those of a write not yet acknowledged
        byte[][] acked = new byte[TRACKS][];
        byte[][] pending = new byte[TRACKS][];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int first = w;
            Thread th = new Thread(() -> {
                for (int t = first; t < TRACKS; t += 2 * WRITERS) {
                    byte[] b = new byte[TRACK];
                    Arrays.fill(b, (byte) (0x80 + t));
                    try {
                        synchronized (pending) {
                            pending[t] = b;
                        }
                        p.device("v").write((long) t * TRACK, ByteBuffer.wrap(b));
                        p.device("v").flush();
                        synchronized (pending) {
                            acked[t] = b;
                        }
                    } catch (IOException e) {
                        // the flush failed for want of space: the write is not acknowledged
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }
            });
            writers.add(th);
            th.start();
        }
        for (Thread th : writers) {
            th.join();
        }
        job.setThrottle(0);
        job.await(30_000);
        assertThat(failure.get()).isNull();
        String jobEnd = job.state() + ": " + job.progress().message();
        try {
            p.device("v").flush();
        } catch (IOException e) {
            // still in doubt: nothing more acknowledged
        }
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            q.jobs().forEach(j -> j.setThrottle(0));
            q.awaitJobs(null);
            assertThat(q.snapshots().restoreOf("v")).as("the restore finished after the reopen (%s)", jobEnd).isNull();
            byte[] vol = TestPools.readAll(q.volume("v"));
            for (int t = 0; t < TRACKS; t++) {
                byte[] got = Arrays.copyOfRange(vol, t * TRACK, (t + 1) * TRACK);
                byte[] want = acked[t] != null ? acked[t] : Arrays.copyOfRange(snap, t * TRACK, (t + 1) * TRACK);
                if (pending[t] != null && acked[t] == null && Arrays.equals(got, pending[t])) {
                    continue; // a write not acknowledged may have landed
                }
                assertThat(got).as("track %d after the cut (restore job was %s): first byte %s, wanted %s", t, jobEnd,
                        got[0], want[0]).isEqualTo(want);
            }
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors").isZero();
        }
    }

    private static byte[] fill(int base) {
        byte[] b = new byte[TRACKS * TRACK];
        for (int t = 0; t < TRACKS; t++) {
            Arrays.fill(b, t * TRACK, (t + 1) * TRACK, (byte) (base + t % 16));
        }
        return b;
    }
}
