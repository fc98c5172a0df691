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
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.TestPools;

/**
 * The save area's own drive fails a flush for want of space while hosts write the origin from
 * several threads (each first write of a track saves its old bytes first: copy before write): the
 * pages that flush dropped may be saved tracks. A snapshot must then either be invalid or read
 * every track as it was when it was taken, before a power cut and after it; and every host write
 * acknowledged by a flush is there after the cut.
 */
class SaveAreaFlushNoSpaceTest {

    private static final int TRACK = 4096;
    private static final int TRACKS = 64;
    private static final int WRITERS = 4;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"d5.img", "d6.img", "snapshots.log"})
    void aSnapshotNeverReadsBytesItsSaveLostAtAFailedFlush(String failing) throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        byte[] before = new byte[TRACKS * TRACK];
        for (int t = 0; t < TRACKS; t++) {
            Arrays.fill(before, t * TRACK, (t + 1) * TRACK, (byte) (t + 1));
        }
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            p.volume("v").write(0, ByteBuffer.wrap(before));
            p.volume("v").flush();
            p.snapshots().create("v", "s");
        }
        FaultInjector inj = SnapshotPools.cutting();
        Pool p = Pool.open(dir, inj);
        inj.failForcesNoSpace(f -> f.getFileName().toString().equals(failing), 1);
        byte[] acked = before.clone();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int first = w;
            Thread th = new Thread(() -> {
                try {
                    for (int t = first; t < TRACKS; t += WRITERS) {
                        byte[] b = new byte[TRACK];
                        Arrays.fill(b, (byte) (0x80 + t));
                        p.volume("v").write((long) t * TRACK, ByteBuffer.wrap(b));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            writers.add(th);
            th.start();
        }
        for (Thread th : writers) {
            th.join();
        }
        assertThat(failure.get()).as("the host writes (a snapshot's save never refuses one)").isNull();
        checkSnapshot(p, before, "before the cut");
        boolean flushed;
        try {
            p.volume("v").flush();
            flushed = true;
        } catch (IOException e) {
            flushed = false;
        }
        if (flushed) {
            for (int t = 0; t < TRACKS; t++) {
                Arrays.fill(acked, t * TRACK, (t + 1) * TRACK, (byte) (0x80 + t));
            }
        }
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            checkSnapshot(q, before, "after the cut");
            if (flushed) {
                assertThat(TestPools.readAll(q.volume("v"))).as("the flushed writes after the cut").startsWith(
                        Arrays.copyOf(acked, acked.length));
            }
        }
    }

    /**
     * After a save failed to be recorded (the save area's drive lost writes at its flush) the save
     * area refuses every save until the pool is opened again: a snapshot taken meanwhile would be
     * invalid at its volume's first write. It is refused, and nothing changes; before, it was
     * 'taken', and the restore point vanished at the next write. The save area's info says why it
     * refuses (for the app to grey its Take before the click), and the next opening's does not.
     */
    @org.junit.jupiter.api.Test
    void aSnapshotIsRefusedWhileTheSaveAreaRefusesSaves() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            p.snapshots().create("v", "s");
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            inj.failForcesNoSpace(f -> f.getFileName().toString().equals("d5.img"), 1);
            p.volume("v").write(0, ByteBuffer.wrap(new byte[TRACK]));
            assertThat(p.snapshots().list("v")).singleElement().satisfies(i -> assertThat(i.state())
                    .isEqualTo(SnapshotAdmin.INVALID));
            p.volume("save").flush(); // room again: the save area's drive is whole, but its log stays in doubt
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.snapshots().create("w", "t"))
                    .isInstanceOf(PoolException.class)
                    .hasMessageStartingWith("the save area save failed to record a save in this opening (drive d5: a flush failed")
                    .hasMessageEndingWith("a snapshot taken now could keep no track; close the pool and open it again first");
            assertThat(p.snapshots().list("w")).as("the refused snapshot").isEmpty();
            assertThat(p.snapshots().saveArea().refusesSaves()).as("why the save area refuses, for a view to show")
                    .startsWith("drive d5: a flush failed");
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshots().saveArea().refusesSaves()).as("a new opening's save area").isNull();
            p.snapshots().create("w", "t"); // a new opening: a fresh log, saves are recorded again
            p.volume("w").write(0, ByteBuffer.wrap(new byte[TRACK]));
            assertThat(p.snapshots().list("w")).singleElement().satisfies(i -> assertThat(i.state())
                    .isEqualTo(SnapshotAdmin.VALID));
        }
    }

    private static void checkSnapshot(Pool p, byte[] before, String when) throws Exception {
        SnapshotAdmin.Info s = p.snapshots().list("v").stream().filter(i -> i.name().equals("s")).findFirst().orElseThrow();
        if (!s.state().equals(SnapshotAdmin.VALID)) {
            return; // invalid, and says why: it shows nothing
        }
        byte[] got = SnapshotCrashTest.read(p, "s");
        for (int t = 0; t < TRACKS; t++) {
            assertThat(Arrays.copyOfRange(got, t * TRACK, (t + 1) * TRACK)).as("%s: snapshot s (%s), track %d", when,
                    s.state(), t).isEqualTo(Arrays.copyOfRange(before, t * TRACK, (t + 1) * TRACK));
        }
    }
}
