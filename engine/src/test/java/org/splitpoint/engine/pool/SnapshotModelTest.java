package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * Snapshots against a model (issue 10): random writes, snapshots of one volume or two at once,
 * deletes, restores to random snapshots (of the volume or of the other one) with reads and writes
 * during the restore, and reopenings of the pool. Every read of a volume and of every snapshot
 * equals the model, and the tracks each snapshot holds, and the save area's slots in use, equal
 * the model's count of saved (shared) tracks.
 */
class SnapshotModelTest {

    static final int TRACK = 4096;

    @TempDir
    Path tmp;

    /** Model of one volume: its bytes and how many times each track was written. */
    private static final class Vol {
        final String name;
        final byte[] bytes;
        final int[] writes;

        Vol(String name, int size) {
            this.name = name;
            this.bytes = new byte[size];
            this.writes = new int[size / TRACK];
        }

        void write(int off, byte[] d) {
            System.arraycopy(d, 0, bytes, off, d.length);
            for (int t = off / TRACK; t <= (off + d.length - 1) / TRACK; t++) {
                writes[t]++;
            }
        }
    }

    /** Model of one snapshot: the image and each track's write count when it was taken. */
    private record Snap(String volume, String name, byte[] image, int[] epoch) { }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void everyReadOfVolumesAndSnapshotsEqualsTheModel(int seed) throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        Random rnd = new Random(seed);
        Map<String, Vol> vols = new LinkedHashMap<>();
        List<Snap> snaps = new ArrayList<>();
        Pool pool = Pool.open(dir);
        try {
            for (String n : List.of("v", "w")) {
                vols.put(n, new Vol(n, (int) pool.volume(n).size()));
            }
            pool.snapshots().setSaveArea("save");
            long slots = pool.snapshots().saveArea().slots();
            int names = 0;
            for (int step = 0; step < 160; step++) {
                int op = rnd.nextInt(100);
                Vol v = rnd.nextBoolean() ? vols.get("v") : vols.get("w");
                if (op < 55) {
                    write(pool, v, rnd);
                } else if (op < 67) {
                    List<String> which = rnd.nextInt(3) == 0 ? List.of("v", "w") : List.of(v.name);
                    String name = "s" + (++names);
                    pool.snapshots().create(which, name);
                    for (String w : which) {
                        Vol m = vols.get(w);
                        snaps.add(new Snap(w, name, m.bytes.clone(), m.writes.clone()));
                    }
                } else if (op < 74 && !snaps.isEmpty()) {
                    Snap s = snaps.remove(rnd.nextInt(snaps.size()));
                    pool.snapshots().delete(s.volume(), s.name());
                } else if (op < 82 && !snaps.isEmpty()) {
                    Snap s = snaps.get(rnd.nextInt(snaps.size()));
                    Vol target = rnd.nextInt(4) == 0 ? vols.get(s.volume().equals("v") ? "w" : "v") : vols.get(s.volume());
                    // a restore saves each track it copies back once more (one save covers every snapshot since)
                    while (expectedUsed(vols, snaps) + target.writes.length + 64 > slots && snaps.size() > 1) {
                        Snap old = snaps.get(0) == s ? snaps.remove(1) : snaps.remove(0);
                        pool.snapshots().delete(old.volume(), old.name());
                    }
                    restore(pool, target, s, rnd, snaps, vols);
                } else if (op < 88) {
                    pool.close();
                    pool = Pool.open(dir);
                } else {
                    checkAll(pool, vols, snaps, slots);
                }
                // keep the save area from filling: the model does not say which snapshots a full area invalidates
                while (expectedUsed(vols, snaps) > slots * 6 / 10 && !snaps.isEmpty()) {
                    Snap s = snaps.remove(0);
                    pool.snapshots().delete(s.volume(), s.name());
                }
            }
            checkAll(pool, vols, snaps, slots);
            pool.close();
            pool = Pool.open(dir);
            checkAll(pool, vols, snaps, slots);
        } finally {
            pool.close();
        }
    }

    private static void write(Pool pool, Vol v, Random rnd) throws Exception {
        int len = 1 + rnd.nextInt(3 * TRACK);
        int off = rnd.nextInt(v.bytes.length - len);
        if (rnd.nextInt(3) == 0) {
            off -= off % TRACK;
            len = TRACK * (1 + rnd.nextInt(2));
            off = Math.min(off, v.bytes.length - len);
        }
        byte[] d = new byte[len];
        if (rnd.nextInt(4) == 0) {
            // a zeroing is a write of zeros to every layer: saves, restores, the model
            pool.device(v.name).writeZeroes(off, len, rnd.nextBoolean());
        } else {
            rnd.nextBytes(d);
            pool.device(v.name).write(off, ByteBuffer.wrap(d));
        }
        v.write(off, d);
    }

    private static void restore(Pool pool, Vol target, Snap s, Random rnd, List<Snap> snaps, Map<String, Vol> vols)
            throws Exception {
        boolean safety = rnd.nextBoolean();
        String ref = s.volume().equals(target.name) ? s.name() : s.volume() + "@" + s.name();
        int[] epochNow = target.writes.clone();
        byte[] before = target.bytes.clone();
        Job job = pool.snapshots().restore(target.name, ref, safety, 64L * TRACK); // slow: reads meet owed tracks
        if (safety) {
            String sn = pool.snapshotCatalog.restoreRecords.get(target.name).safety();
            snaps.add(new Snap(target.name, sn, before, epochNow));
        }
        // the owed tracks are written once by the restore (or by a host write first)
        for (int t = 0; t < target.writes.length; t++) {
            if (!s.volume().equals(target.name) || target.writes[t] > s.epoch()[t]) {
                target.writes[t]++;
            }
        }
        System.arraycopy(s.image(), 0, target.bytes, 0, target.bytes.length);
        BlockDevice dev = pool.device(target.name);
        for (int k = 0; k < 12; k++) {
            if (rnd.nextBoolean()) {
                write(pool, target, rnd);
            } else {
                int len = 1 + rnd.nextInt(4 * TRACK);
                int off = rnd.nextInt(target.bytes.length - len);
                byte[] got = new byte[len];
                dev.read(off, ByteBuffer.wrap(got));
                assertThat(got).as("read of %s during its restore at %d+%d", target.name, off, len)
                        .isEqualTo(Arrays.copyOfRange(target.bytes, off, off + len));
            }
        }
        job.setThrottle(0);
        assertThat(job.await(60_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(pool.snapshots().restoreOf(target.name)).isNull();
    }

    private static long expectedUsed(Map<String, Vol> vols, List<Snap> snaps) {
        long used = 0;
        for (Vol v : vols.values()) {
            for (int t = 0; t < v.writes.length; t++) {
                java.util.Set<Integer> epochs = new java.util.HashSet<>();
                for (Snap s : snaps) {
                    if (s.volume().equals(v.name) && v.writes[t] > s.epoch()[t]) {
                        epochs.add(s.epoch()[t]);
                    }
                }
                used += epochs.size();
            }
        }
        return used;
    }

    private static void checkAll(Pool pool, Map<String, Vol> vols, List<Snap> snaps, long slots) throws Exception {
        for (Vol v : vols.values()) {
            byte[] got = new byte[v.bytes.length];
            pool.device(v.name).read(0, ByteBuffer.wrap(got));
            TestPools.assertSameBytes(got, v.bytes, "volume " + v.name);
        }
        for (Snap s : snaps) {
            SnapshotAdmin.Info info = pool.snapshots().get(s.volume(), s.name());
            assertThat(info.state()).as(info.ref() + " " + info.why()).isEqualTo(SnapshotAdmin.VALID);
            byte[] got = new byte[s.image().length];
            pool.snapshots().reader(s.volume() + "@" + s.name()).read(0, ByteBuffer.wrap(got));
            TestPools.assertSameBytes(got, s.image(), "snapshot " + info.ref());
            Vol v = vols.get(s.volume());
            long held = 0;
            for (int t = 0; t < v.writes.length; t++) {
                held += v.writes[t] > s.epoch()[t] ? 1 : 0;
            }
            assertThat(info.tracksHeld()).as("tracks held by " + info.ref()).isEqualTo(held);
            assertThat(info.bytesHeld()).isEqualTo(held * TRACK);
        }
        assertThat(pool.snapshots().list(null)).hasSize(snaps.size());
        assertThat(pool.snapshots().saveArea().usedSlots()).as("save area slots in use").isEqualTo(expectedUsed(vols, snaps));
        assertThat(pool.snapshots().saveArea().slots()).isEqualTo(slots);
    }
}
