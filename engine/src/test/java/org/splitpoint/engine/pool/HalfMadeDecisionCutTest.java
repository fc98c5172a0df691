package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A pool.json written by another thread while an administrator's verb is half way through its
 * decision in memory, then a power cut before the verb's own write: the pool must open.
 *
 * <p>{@link Pool#persist()} may be called from any thread holding anything (a member failing on a
 * host's I/O thread, a pair's copy ending, a journal leg failing, a lost track recorded), and it
 * writes what memory holds at that instant. A verb changes several records for one decision (a
 * volume's record and its drives' entries, a journal's record and its legs' entries); a write
 * between two of those changes put on disk a pool.json whose parts disagree, which the open's
 * cross-checks ({@link Validation#config}) refuse in one sentence: a pool that no longer opens after
 * a power cut. The scene here puts that other thread's write at the exact instant (a hook on the
 * pool's map of records, as the verb changes it, or a hold on the verb's read), lets it run up to a
 * second, then cuts the power. Besides the refusals, the service window cases look for what the
 * open accepts but cannot bring back: a drive OFFLINE with no window, a window over an ONLINE drive,
 * a drive REBUILDING with no rebuild on record.
 */
class HalfMadeDecisionCutTest {

    private static final long DRIVE = 2L << 20;

    @TempDir
    Path tmp;

    private byte[] aBytes;

    /** Six blank drives; mirror a over d1, d2 holding known bytes, flushed. */
    private Path template(String name) throws Exception {
        Path dir = UnrecordedAdminTest.blankPool(tmp.resolve(name), 6, DRIVE);
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("a", Layout.RAID1, List.of("d1", "d2"), 0);
            aBytes = new byte[(int) p.volume("a").size()];
            new java.util.Random(3).nextBytes(aBytes);
            p.device("a").write(0, ByteBuffer.wrap(aBytes));
            p.device("a").flush();
        }
        return dir;
    }

    @Test
    void aWriteOfAnotherThreadDuringAVolumeCreateLeavesAPoolThatOpens() throws Exception {
        Path dir = template("create");
        cutDuring(dir, "volumeRecords", "b", false, p -> p.admin().createVolume("b", Layout.RAID1, List.of("d3", "d4"), 0));
    }

    @Test
    void aWriteOfAnotherThreadDuringAVolumeDeleteLeavesAPoolThatOpens() throws Exception {
        Path dir = template("delete");
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("b", Layout.RAID1, List.of("d3", "d4"), 0);
        }
        cutDuring(dir, "volumeRecords", "b", false, p -> p.admin().deleteVolume("b"));
    }

    @Test
    void aWriteOfAnotherThreadDuringASpareReplacementLeavesAPoolThatOpens() throws Exception {
        Path dir = template("spare");
        try (Pool p = Pool.open(dir)) {
            p.admin().failDrive("d2");
        }
        cutDuring(dir, "volumeRecords", "a", true, p -> p.admin().replaceWithSpare("d2", "d5", 0));
    }

    @Test
    void aWriteOfAnotherThreadDuringAJournalEnableLeavesAPoolThatOpens() throws Exception {
        Path dir = template("enable");
        Path store = Files.createDirectories(tmp.resolve("enable-store"));
        cutDuring(dir, "journalRecords", "a", true, p -> p.journals().enable("a", List.of("d5", "d6"), store, 0, 0));
    }

    @Test
    void aWriteOfAnotherThreadDuringAJournalDisableLeavesAPoolThatOpens() throws Exception {
        Path dir = template("disable");
        Path store = Files.createDirectories(tmp.resolve("disable-store"));
        try (Pool p = Pool.open(dir)) {
            assertThat(p.journals().enable("a", List.of("d5", "d6"), store, 0, 0).await(60_000)).isTrue();
        }
        cutDuring(dir, "journalRecords", "a", true, p -> p.journals().disable("a"));
    }

    /**
     * 'drive offline' takes the member out, then reads its image's samples, then puts the window on
     * record: another thread's pool.json write during those reads (held here) had the drive OFFLINE
     * with no window on record, which an opening takes for a drive whose missed writes are unknown
     * ('drive online' refused; fail it and rebuild it whole), though no write went on without it.
     */
    @Test
    void aWriteOfAnotherThreadWhileADriveGoesOfflineLeavesItOnlineOrInItsWindow() throws Exception {
        Path dir = template("offline");
        FaultInjector inj = new FaultInjector(StorageFactory.real()).unforcedWritesLost();
        Pool pool = Pool.open(dir, inj);
        Thread admin = Thread.currentThread();
        Runnable release = inj.holdReleasable(FaultInjector.Op.READ, f -> f.getFileName().toString().equals("d2.img")
                && pool.drives.get("d2").member.state() == DriveState.OFFLINE, t -> t == admin, 30_000);
        AtomicReference<Throwable> otherFailed = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                inj.awaitHeld(1); // the samples' first read, the member out
                pool.persist();
            } catch (Throwable t) {
                otherFailed.set(t);
            } finally {
                inj.cutNow();
                release.run();
            }
        }, "another writer of pool.json");
        other.start();
        try {
            pool.service().offline("d2", OfflineReason.RESET, LogMode.DATA);
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, "drive offline");
        }
        other.join(30_000);
        assertThat(otherFailed.get()).as("the other writer").isNull();
        CutRuns.crash(inj, pool);
        try (Pool q = Pool.open(dir, StorageFactory.real())) {
            DriveState d2 = q.snapshot().drive("d2").state();
            if (d2 == DriveState.OFFLINE) {
                assertThat(q.serviceRecords).as("d2 OFFLINE: its window on record").containsKey("a");
                q.service().online("d2").await(60_000);
            } else {
                assertThat(d2).as("d2 with no window").isEqualTo(DriveState.ONLINE);
            }
            assertThat(q.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            TestPools.assertSameBytes(TestPools.readAll(q.volume("a")), aBytes, "volume a after the crash");
            assertThat(q.admin().verify("a", false, null)).as("a's members agree").isZero();
        }
    }

    /**
     * As above, the other thread's write at the instant the window's record is put: the drive counted
     * as in service before its window was on record, and went on disk OFFLINE with no window.
     */
    @Test
    void aWriteOfAnotherThreadAsAWindowGoesOnRecordLeavesTheDriveOnlineOrInItsWindow() throws Exception {
        for (boolean before : new boolean[] {true, false}) {
            Path dir = template("offline-record-" + before);
            cutDuring(dir, "serviceRecords", "a", before, p -> p.service().offline("d2", OfflineReason.RESET, LogMode.DATA));
            String what = (before ? "before" : "after") + " the window's record";
            try (Pool q = Pool.open(dir, StorageFactory.real())) {
                // a window on record is one of an OFFLINE drive, and an OFFLINE drive is in one: either way 'drive online' ends it
                assertThat(q.snapshot().drive("d2").state() == DriveState.OFFLINE).as(what + ": d2 OFFLINE, its window on record")
                        .isEqualTo(q.serviceRecords.containsKey("a"));
                if (q.snapshot().drive("d2").state() == DriveState.OFFLINE) {
                    q.service().online("d2").await(60_000);
                }
                assertThat(q.snapshot().drive("d2").state()).as(what).isEqualTo(DriveState.ONLINE);
                assertThat(q.serviceRecords).as(what + ": no window left").isEmpty();
                assertThat(q.admin().verify("a", false, null)).as(what + ": a's members agree").isZero();
            }
        }
    }

    /**
     * A drive back from its window whose image was swapped is rebuilt whole: the window's end and the
     * rebuild's record go in one write. Another thread's write between the two had the drive
     * REBUILDING with neither its window nor its rebuild on record, which no opening rebuilds.
     */
    @Test
    void aWriteOfAnotherThreadAsAWindowEndsInAWholeRebuildLeavesTheRebuildOnRecord() throws Exception {
        Path dir = template("whole");
        try (Pool p = Pool.open(dir)) {
            p.service().offline("d2", OfflineReason.REPLACEMENT, LogMode.POINTERS);
        }
        // the drive is swapped for a new, blank one
        Path image = dir.resolve("drives/d2.img");
        Files.delete(image);
        try (var ch = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), DRIVE - 1);
        }
        cutDuring(dir, "jobRecords", null, true, p -> p.service().online("d2"));
        try (Pool q = Pool.open(dir, StorageFactory.real())) {
            if (q.snapshot().drive("d2").state() == DriveState.OFFLINE) {
                assertThat(q.serviceRecords).as("d2 OFFLINE: its window on record").containsKey("a");
                q.service().online("d2");
            }
            q.awaitJobs(null);
            assertThat(q.snapshot().drive("d2").state()).as("d2 rebuilt").isEqualTo(DriveState.ONLINE);
            TestPools.assertSameBytes(TestPools.readAll(q.volume("a")), aBytes, "volume a after the rebuild");
            assertThat(q.admin().verify("a", false, null)).as("a's members agree").isZero();
        }
    }

    interface Verb {
        void run(Pool p) throws Exception;
    }

    /**
     * Opens the pool in {@code dir}, has another thread write pool.json as {@code verb} changes
     * {@code key} of the pool's map {@code field} ({@code before} the change or after it), cuts the
     * power once that write ended (or a second went by), and opens the pool again after the crash:
     * it must open, volume a as it was, and every drive in at most one place.
     */
    private void cutDuring(Path dir, String field, Object key, boolean before, Verb verb) throws Exception {
        FaultInjector inj = new FaultInjector(StorageFactory.real()).unforcedWritesLost();
        Pool pool = Pool.open(dir, inj);
        AtomicReference<Throwable> otherFailed = new AtomicReference<>();
        AtomicBoolean fired = new AtomicBoolean();
        Thread[] other = new Thread[1];
        Runnable hook = () -> {
            if (!fired.compareAndSet(false, true)) {
                return;
            }
            // what recordAbsence, a pair's state change or a journal leg's failure do on their own threads
            other[0] = new Thread(() -> {
                try {
                    pool.persist();
                } catch (Throwable t) {
                    otherFailed.set(t);
                }
            }, "another writer of pool.json");
            other[0].start();
            try {
                other[0].join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inj.cutNow();
        };
        hookMap(pool, field, key, before, hook);
        try {
            verb.run(pool);
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, field + " " + key);
        }
        assertThat(fired).as("the verb changed " + field + " " + key).isTrue();
        CutRuns.crash(inj, pool);
        other[0].join(30_000);
        assertThat(other[0].isAlive()).as("the other writer ended").isFalse();
        // (the power cut may fail it; Pool.persist's assertion, on in tests, refuses a pool.json the open would refuse)
        assertThat(otherFailed.get() instanceof AssertionError ? otherFailed.get().getMessage() : null)
                .as("the other writer's pool.json").isNull();
        try (Pool q = Pool.open(dir, StorageFactory.real())) {
            TestPools.assertSameBytes(TestPools.readAll(q.volume("a")), aBytes, "volume a after the crash");
            Map<String, String> place = new java.util.HashMap<>();
            for (var d : q.snapshot().drives()) {
                if (d.volume() != null) {
                    assertThat(place.put(d.name(), d.volume())).as("drive " + d.name()).isNull();
                }
            }
        }
    }

    /** Puts a map in place of the pool's {@code field} that runs {@code hook} when {@code key} (null: any) is put or removed. */
    @SuppressWarnings("unchecked")
    private static void hookMap(Pool pool, String field, Object key, boolean before, Runnable hook) throws Exception {
        Field f = Pool.class.getDeclaredField(field);
        f.setAccessible(true);
        Map<Object, Object> inner = (Map<Object, Object>) f.get(pool);
        f.set(pool, new HookedMap(inner, key, before, hook));
    }

    /**
     * The pool's synchronized map with a hook at one key's change; it holds no lock while the hook
     * runs (the other writer copies the map under its monitor).
     */
    private static final class HookedMap extends AbstractMap<Object, Object> {
        private final Map<Object, Object> inner;
        private final Object key;
        private final boolean before;
        private final Runnable hook;

        HookedMap(Map<Object, Object> inner, Object key, boolean before, Runnable hook) {
            this.inner = inner;
            this.key = key;
            this.before = before;
            this.hook = hook;
        }

        private void around(Object k, boolean now) {
            if ((key == null || key.equals(k)) && before == now) {
                hook.run();
            }
        }

        @Override
        public Object put(Object k, Object v) {
            around(k, true);
            Object r = inner.put(k, v);
            around(k, false);
            return r;
        }

        @Override
        public Object remove(Object k) {
            around(k, true);
            Object r = inner.remove(k);
            around(k, false);
            return r;
        }

        @Override
        public Object get(Object k) {
            return inner.get(k);
        }

        @Override
        public boolean containsKey(Object k) {
            return inner.containsKey(k);
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public Collection<Object> values() {
            return inner.values();
        }

        @Override
        public Set<Object> keySet() {
            return inner.keySet();
        }

        @Override
        public Set<Map.Entry<Object, Object>> entrySet() {
            return inner.entrySet();
        }
    }
}
