package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;

/**
 * "Instant restore of v resumed" (and "restore of v to snapshot v@s resumed", as a rebuild's) is
 * said by the opens that run the restore (serve, the app, wait), not by every short CLI command,
 * which opens the pool without running jobs: each such command logged a resume of a restore that
 * went on waiting (a restore to a snapshot still did, after instant restores and rebuilds no longer).
 */
class ResumedEventTest {

    private static final int TRACK = 64 << 10;

    @TempDir
    Path tmp;

    private static long resumedLines(Path dir) throws Exception {
        return lines(dir, "instant restore of v resumed");
    }

    private static long lines(Path dir, String text) throws Exception {
        Path events = new PoolPaths(dir).events();
        return Files.readAllLines(events).stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void onlyAnOpenThatRunsTheRestoreSaysItResumed() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID5, 3, 1L << 20, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 81, true);
        try (Pool pool = Pool.open(dir)) {
            pool.instantRestores().restore("v", store, null, true, 1); // a byte a second: still owed at close
        }
        for (int i = 0; i < 3; i++) {
            try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
                assertThat(pool.instantRestores().restoreOf("v")).as("the restore is there, waiting").isNotNull();
            }
        }
        assertThat(resumedLines(dir)).as("opens that run no jobs").isZero();
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.jobs()).isNotEmpty();
        }
        assertThat(resumedLines(dir)).as("the open that ran it").isEqualTo(1);
    }

    @Test
    void onlyAnOpenThatRunsARestoreToASnapshotSaysItResumed() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s1");
            pool.device("v").write(0, java.nio.ByteBuffer.allocate(4 * TRACK)); // tracks to restore
            pool.snapshots().restore("v", "s1", false, 1); // a byte a second: still owed at close
        }
        for (int i = 0; i < 3; i++) {
            try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
                assertThat(pool.snapshot().snapshotRestore("v")).as("the restore is there, waiting").isNotNull();
                assertThat(pool.openNotes()).noneMatch(n -> n.contains("resumed"));
            }
        }
        assertThat(lines(dir, "restore of v to snapshot v@s1 resumed")).as("opens that run no jobs").isZero();
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.jobs()).isNotEmpty();
            assertThat(pool.openNotes()).anyMatch(n -> n.startsWith("restore of v to snapshot v@s1 resumed: "));
        }
        assertThat(lines(dir, "restore of v to snapshot v@s1 resumed")).as("the open that ran it").isEqualTo(1);
    }
}
