package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/** Snapshots (issue 10): a full save area, the refusals, pairs, a paused restore across a reopen. */
class SnapshotBehaviourTest {

    static final int TRACK = 4096;

    @TempDir
    Path tmp;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(Pool p, String device) throws Exception {
        var d = p.device(device);
        byte[] b = new byte[(int) d.size()];
        d.read(0, ByteBuffer.wrap(b));
        return b;
    }

    /**
     * v is 1 MiB (256 tracks), the save area 2 MiB (512): two full overwrites after two snapshots
     * fill it; the third snapshot's saves cannot be made, so it alone becomes invalid (critical
     * event) while the writes go on and the other snapshots keep their images; then two snapshots
     * taken with no write between share one save range, and both become invalid together.
     */
    @Test
    void aFullSaveAreaInvalidatesExactlyTheSnapshotsThatNeedTheTrackAndNeverTheWrite() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK, 1L << 20);
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Pool p = Pool.open(dir)) {
            p.addListener(events::add);
            p.snapshots().setSaveArea("save");
            int size = (int) p.volume("v").size();
            byte[] a = random(size, 1);
            p.device("v").write(0, ByteBuffer.wrap(a));
            p.snapshots().create("v", "s1");
            byte[] b = random(size, 2);
            p.device("v").write(0, ByteBuffer.wrap(b));
            p.snapshots().create("v", "s2");
            byte[] c = random(size, 3);
            p.device("v").write(0, ByteBuffer.wrap(c));
            assertThat(p.snapshots().saveArea().usedSlots()).isEqualTo(512); // full, nobody invalid yet
            p.events().drain(); // events reach listeners on the bus's own thread
            assertThat(events.stream().filter(e -> e.type().equals("SAVE_AREA")).map(Event::message).toList())
                    .anySatisfy(m -> assertThat(m).contains("is past 80% full"))
                    .anySatisfy(m -> assertThat(m).contains("is past 95% full (100%"));
            p.snapshots().create("v", "s3");
            byte[] d = random(size / 2, 4);
            p.device("v").write(TRACK * 10L, ByteBuffer.wrap(d)); // never refused
            System.arraycopy(d, 0, c, TRACK * 10, d.length);
            assertThat(readAll(p, "v")).isEqualTo(c);
            assertThat(p.snapshots().get("v", "s3").state()).isEqualTo(SnapshotAdmin.INVALID);
            assertThat(p.snapshots().get("v", "s3").why()).contains("save area save is full");
            assertThat(readAll(p, "v@s1")).isEqualTo(a);
            assertThat(readAll(p, "v@s2")).isEqualTo(b);
            p.events().drain();
            assertThat(events).anySatisfy(e -> {
                assertThat(e.severity()).isEqualTo(Severity.CRITICAL);
                assertThat(e.message()).startsWith("snapshot v@s3 is invalid");
            });
            assertThatThrownBy(() -> p.snapshots().reader("v@s3")).hasMessageContaining("is invalid");
            assertThatThrownBy(() -> p.snapshots().restore("v", "s3", true, 0)).hasMessageContaining("is invalid");
            // free s1: room for two more that share one range
            p.snapshots().delete("v", "s1");
            p.snapshots().create("v", "s4");
            p.snapshots().create("v", "s5");
            byte[] e2 = random(size, 5);
            p.device("v").write(0, ByteBuffer.wrap(e2)); // 256 tracks to save, 256 free: just fits
            assertThat(p.snapshots().get("v", "s4").state()).isEqualTo(SnapshotAdmin.VALID);
            assertThat(readAll(p, "v@s4")).isEqualTo(c);
            assertThat(readAll(p, "v@s5")).isEqualTo(c);
            p.snapshots().create("v", "s6");
            p.snapshots().create("v", "s7");
            p.device("v").write(0, ByteBuffer.wrap(random(TRACK, 6)));
            assertThat(p.snapshots().get("v", "s6").state()).isEqualTo(SnapshotAdmin.INVALID);
            assertThat(p.snapshots().get("v", "s7").state()).isEqualTo(SnapshotAdmin.INVALID);
            assertThat(p.snapshots().get("v", "s2").state()).isEqualTo(SnapshotAdmin.VALID);
            assertThat(readAll(p, "v@s2")).isEqualTo(b);
        }
        try (Pool p = Pool.open(dir)) { // and so it stays
            assertThat(p.snapshots().list("v").stream().collect(Collectors.toMap(SnapshotAdmin.Info::name,
                    SnapshotAdmin.Info::state))).isEqualTo(Map.of("s2", "valid", "s3", "invalid", "s4", "valid",
                    "s5", "valid", "s6", "invalid", "s7", "invalid"));
        }
    }

    /** The save log's dead records are dropped at open once they outweigh the live ones; the snapshots read the same. */
    @Test
    void theSaveLogIsCompactedAtOpenAndTheSnapshotsReadTheSame() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK, 1L << 20, 5);
        byte[] last = null;
        byte[] current;
        long used;
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            int size = (int) p.volume("v").size();
            current = random(size, 0);
            p.device("v").write(0, ByteBuffer.wrap(current));
            for (int k = 1; k <= 18; k++) {
                p.snapshots().create("v", "k" + k);
                last = current;
                current = random(size, k);
                p.device("v").write(0, ByteBuffer.wrap(current)); // every track saved again: 256 records
                if (k > 1) {
                    p.snapshots().delete("v", "k" + (k - 1)); // their records are dead now
                }
            }
            used = p.snapshots().saveArea().usedSlots();
            assertThat(used).isEqualTo(256);
        }
        long before = Files.size(dir.resolve("meta/snapshots.log"));
        try (Pool p = Pool.open(dir)) {
            long after = Files.size(dir.resolve("meta/snapshots.log"));
            assertThat(after).as("compacted from " + before).isLessThan(before / 10);
            assertThat(p.snapshots().saveArea().usedSlots()).isEqualTo(used);
            assertThat(readAll(p, "v@k18")).isEqualTo(last);
            assertThat(readAll(p, "v")).isEqualTo(current);
            p.device("v").write(0, ByteBuffer.wrap(random(TRACK, 99))); // and saves go on after it
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(readAll(p, "v@k18")).isEqualTo(last);
        }
    }

    /**
     * The restore's copy saves each step's tracks ahead for the safety snapshot while hosts write
     * and flush the volume: a flush's barrier waits for writers, writers wait for tracks the copy
     * is saving, and the copy reads the volume — it must take the volume's gate before the tracks,
     * as writers do (the every-index crash run once hung here), and the hashed track locks in order.
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aRestoreSavingAheadUnderWritersAndFlushesNeverDeadlocks() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK, 1L << 20, 5);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            int size = (int) p.volume("v").size();
            for (int round = 0; round < 6; round++) {
                p.device("v").write(0, ByteBuffer.wrap(random(size, round)));
                p.snapshots().create("v", "r" + round);
                byte[] image = readAll(p, "v");
                p.device("v").write(0, ByteBuffer.wrap(random(size, 100 + round)));
                Job j = p.snapshots().restore("v", "r" + round, true, 200L * TRACK);
                java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
                List<Thread> hosts = new java.util.ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    int id = w;
                    Thread t = new Thread(() -> {
                        Random r = new Random(id);
                        try {
                            while (j.state() == JobState.RUNNING) {
                                int t0 = (id * size / 3 + r.nextInt(size / 3 - 4 * TRACK)) / TRACK * TRACK;
                                if (r.nextInt(3) == 0) {
                                    p.device("v").flush();
                                } else {
                                    byte[] d = new byte[TRACK * (1 + r.nextInt(3))];
                                    p.device("v").read(t0, ByteBuffer.wrap(d)); // rewrite what is there: the image stays
                                    p.device("v").write(t0, ByteBuffer.wrap(d));
                                }
                            }
                        } catch (Throwable e) {
                            failed.compareAndSet(null, e);
                        }
                    });
                    t.setDaemon(true); // a deadlock fails the test at its timeout instead of holding the JVM
                    hosts.add(t);
                    t.start();
                }
                assertThat(j.await(60_000)).as("round " + round + ": the restore ends").isTrue();
                for (Thread t : hosts) {
                    t.join(30_000);
                    assertThat(t.isAlive()).as("a host thread is stuck").isFalse();
                }
                assertThat(failed.get()).isNull();
                assertThat(j.state()).isEqualTo(JobState.DONE);
                assertThat(readAll(p, "v")).isEqualTo(image);
                for (SnapshotAdmin.Info i : p.snapshots().list("v")) {
                    p.snapshots().delete("v", i.name());
                }
            }
        }
    }

    /** Every refusal is one sentence and changes no file of the pool. */
    @Test
    void badInputIsRefusedInOneSentenceAndChangesNothing() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK, 1L << 20);
        try (Pool p = Pool.open(dir)) {
            assertThatThrownBy(() -> p.snapshots().create("v", "s1")).hasMessageStartingWith("the pool has no save area");
            p.snapshots().setSaveArea("save");
            String big = p.admin().addDrive(0);
            String big2 = p.admin().addDrive(0);
            String big3 = p.admin().addDrive(0);
            p.admin().createVolume("big", Layout.RAID5, List.of(big, big2, big3), 0);
            p.snapshots().create("v", "s1");
            p.snapshots().create("big", "b1");
        }
        Map<String, byte[]> before = files(dir);
        try (Pool p = Pool.open(dir)) {
            SnapshotAdmin s = p.snapshots();
            assertThatThrownBy(() -> s.create("nope", "x")).hasMessage("no volume named 'nope' in this pool (volumes: v, w,"
                    + " save, big)");
            assertThatThrownBy(() -> s.create("v", "s1")).hasMessageStartingWith("volume v has a snapshot named s1 already");
            assertThatThrownBy(() -> s.create("v", "a/b")).hasMessageContaining("is not a valid snapshot name");
            assertThatThrownBy(() -> s.create("v", "a@b")).hasMessageContaining("is not a valid snapshot name");
            assertThatThrownBy(() -> s.create(List.of("v", "v"), "x")).hasMessage("volume v is named twice");
            assertThatThrownBy(() -> s.create("save", "x")).hasMessageContaining("is the save area");
            assertThatThrownBy(() -> s.delete("v", "nope")).hasMessage("volume v has no snapshot named 'nope' (snapshots: s1)");
            assertThatThrownBy(() -> s.restore("v", "nope", true, 0)).hasMessageStartingWith("volume v has no snapshot named");
            assertThatThrownBy(() -> s.restore("v", "big@b1", true, 0)).hasMessage("snapshot big@b1 is of a volume of 2 MiB;"
                    + " v is 1 MiB: restore it onto a volume of the same size");
            assertThatThrownBy(() -> s.reader("v@nope")).hasMessageStartingWith("volume v has no snapshot named");
            assertThatThrownBy(() -> s.reader("v")).hasMessage("'v' does not name a snapshot (VOLUME@NAME)");
            assertThatThrownBy(() -> s.setSaveArea("w")).hasMessageStartingWith("the save area is save and holds 2 snapshots");
            assertThatThrownBy(() -> p.device("v@s1").write(0, ByteBuffer.allocate(1)))
                    .hasMessage("snapshot v@s1 is read-only: a snapshot never changes");
            assertThatThrownBy(() -> p.device("save").write(0, ByteBuffer.allocate(1)))
                    .hasMessageContaining("is the save area");
        }
        Map<String, byte[]> after = files(dir);
        after.keySet().removeIf(k -> k.endsWith("events.jsonl") || k.endsWith("pool.lock"));
        before.keySet().removeIf(k -> k.endsWith("events.jsonl") || k.endsWith("pool.lock"));
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String k : before.keySet()) {
            assertThat(after.get(k)).as(k).isEqualTo(before.get(k));
        }
    }

    private static Map<String, byte[]> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).collect(Collectors.toMap(f -> dir.relativize(f).toString(), f -> {
                try {
                    return Files.readAllBytes(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, (x, y) -> x, java.util.TreeMap::new));
        }
    }

    /**
     * A BCV not split and an STD being restored from its BCV cannot be restored to a snapshot; a
     * split pair's STD can, and the tracks restored count as changed (the next establish copies them).
     */
    @Test
    void pairsDecideWhenAVolumeMayBeRestoredAndCountTheRestoredTracks() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK, 1L << 20);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            p.device("v").write(0, ByteBuffer.wrap(random((int) p.volume("v").size(), 1)));
            p.pairs().create("pr", "v", "w");
            p.pairs().establish("pr", true).await(30_000);
            p.snapshots().create("w", "bs");
            p.snapshots().create("v", "vs");
            assertThatThrownBy(() -> p.snapshots().restore("w", "bs", true, 0))
                    .hasMessage("volume w is the BCV of pair pr, which is Synchronized; split the pair before restoring the"
                            + " BCV to a snapshot");
            p.pairs().split(List.of("pr"));
            p.device("v").write(0, ByteBuffer.wrap(random(TRACK * 8, 2))); // 8 tracks changed since the split
            Job restore = p.pairs().restore("pr", false, false, 1024);
            assertThatThrownBy(() -> p.snapshots().restore("v", "vs", true, 0))
                    .hasMessage("volume v is being restored from its BCV in pair pr, which is restoring (RestInProg); split the pair before"
                            + " restoring it to a snapshot");
            restore.cancel();
            restore.await(30_000);
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.pairs().query("pr").get(0).state()).isEqualTo(org.splitpoint.engine.pair.PairState.Split);
            long before = p.pairs().query("pr").get(0).stdInvalidTracks();
            byte[] atVs = readAll(p, "v@vs");
            Job j = p.snapshots().restore("v", "vs", false, 0);
            assertThat(j.await(30_000)).isTrue();
            assertThat(j.state()).isEqualTo(JobState.DONE);
            assertThat(readAll(p, "v")).isEqualTo(atVs);
            assertThat(p.pairs().query("pr").get(0).stdInvalidTracks()).isGreaterThanOrEqualTo(Math.max(before, 8));
        }
    }

    /** A paused restore stays paused across a close and reopen, answers reads from the snapshot, and finishes when resumed. */
    @Test
    void aPausedRestoreResumesAfterAReopenAndServesReadsMeanwhile() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK, 1L << 20);
        byte[] image;
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            image = random((int) p.volume("v").size(), 1);
            p.device("v").write(0, ByteBuffer.wrap(image));
            p.snapshots().create("v", "good");
            p.device("v").write(TRACK * 3L, ByteBuffer.wrap(random(TRACK * 100, 2)));
            Job j = p.snapshots().restore("v", "good", true, 0);
            j.pause();
            assertThat(p.snapshot().snapshotRestore("v").owedTracks()).isBetween(1L, 100L);
        }
        try (Pool p = Pool.open(dir)) {
            Job j = p.job(SnapshotAdmin.restoreJobId("v"));
            assertThat(j.state()).isEqualTo(JobState.PAUSED);
            long owed = p.snapshot().snapshotRestore("v").owedTracks();
            assertThat(readAll(p, "v")).isEqualTo(image); // the owed tracks come from the snapshot
            assertThat(p.snapshots().restoreOf("v").onDemandFetches()).isGreaterThan(0);
            assertThatThrownBy(() -> p.snapshots().delete("v", "good")).hasMessageContaining("is the source of the restore");
            assertThatThrownBy(() -> p.snapshots().create("v", "during")).hasMessageContaining("is being restored");
            j.resume();
            assertThat(j.await(30_000)).isTrue();
            assertThat(j.state()).isEqualTo(JobState.DONE);
            assertThat(owed).isGreaterThan(0);
            assertThat(TestPools.readAll(p.volume("v"))).isEqualTo(image);
            SnapshotAdmin.Info safety = p.snapshots().list("v").stream().filter(i -> i.name().startsWith("before-restore"))
                    .findFirst().orElseThrow();
            assertThat(safety.tracksHeld()).isEqualTo(100);
            p.snapshots().delete("v", "good"); // no longer the source of anything
        }
    }
}
