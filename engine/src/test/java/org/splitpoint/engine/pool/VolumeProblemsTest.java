package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;

/**
 * A volume's data problems: a verify's mismatches stand (in the snapshot, across a reopen) until
 * a repair; a lost write reported by a host is critical; one event per problem, not per count.
 */
class VolumeProblemsTest {

    @TempDir
    Path dir;

    private void corruptSecondMirror() throws Exception {
        try (FileChannel ch = FileChannel.open(dir.resolve("drives/d2.img"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[4096]), 8192); // 8 sectors of the second mirror zeroed
        }
    }

    private void fill() throws Exception {
        try (Pool pool = Pool.open(dir)) {
            byte[] data = new byte[64 << 10];
            new Random(5).nextBytes(data);
            pool.volume("v").write(0, ByteBuffer.wrap(data));
            pool.volume("v").flush();
        }
    }

    /**
     * A damaged meta/problems.json (empty, not JSON, JSON of another shape) is said among the opening's notes in one
     * sentence, as every damaged meta/ file is, and read as no problems on record. Before, a logger's warning came out
     * on a CLI command's stderr as three lines with a timestamp and the parser's words ("WARNING: ignoring
     * .../problems.json: No content to map due to end-of-input / at [Source: REDACTED (`StreamReadFeature...")
     * and no note said it.
     */
    @Test
    void aDamagedProblemsFileIsSaidInANoteAndReadAsNone() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        Path problems = dir.resolve("meta/problems.json");
        for (String body : new String[] {"", "{not json", "{\"volume\": 3}", "[{\"volume\": \"v\", \"kind\": \"NO_SUCH\"}]"}) {
            java.nio.file.Files.writeString(problems, body);
            for (PoolOptions options : new PoolOptions[] {PoolOptions.READ_ONLY, PoolOptions.DEFAULT}) {
                try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), options)) {
                    assertThat(pool.openNotes()).as("%s", body).anySatisfy(n -> assertThat(n)
                            .startsWith("the record of the volumes' problems (meta/problems.json) is damaged (")
                            .endsWith("): it is read as no problems on record; a verify finds a volume's mismatches again")
                            .doesNotContain("Source", "REDACTED", "end-of-input", "VolumeProblem"));
                    assertThat(pool.snapshot().volume("v").problems()).isEmpty();
                }
            }
        }
    }

    @Test
    void verifyMismatchesStandAcrossAReopenUntilARepair() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        fill();
        corruptSecondMirror();
        try (Pool pool = Pool.open(dir)) {
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            assertThat(pool.admin().verify("v", false, null)).isEqualTo(8);
            assertThat(pool.snapshot().volume("v").problems()).singleElement()
                    .satisfies(p -> assertThat(p.kind()).isEqualTo(VolumeProblem.Kind.VERIFY_MISMATCH))
                    .satisfies(p -> assertThat(p.count()).isEqualTo(8));
            assertThat(pool.snapshot().health()).isEqualTo(PoolSnapshot.Health.WARNING);
            pool.admin().verify("v", false, null); // the same finding again: no second problem event
            org.awaitility.Awaitility.await().until(() -> events.stream().anyMatch(e -> e.type().equals("VERIFY")));
            assertThat(events.stream().filter(e -> e.type().equals("VOLUME_PROBLEM"))).hasSize(1);
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().volume("v").problemLine()).contains("8 mismatched sectors", "--repair");
            assertThat(pool.admin().verify("v", true, null)).isEqualTo(8);
            assertThat(pool.snapshot().volume("v").problems()).isEmpty();
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().volume("v").problems()).as("the repair's clearing was kept").isEmpty();
        }
    }

    @Test
    void aLostWriteIsCriticalAndOneEventPerBurst() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        try (Pool pool = Pool.open(dir)) {
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            for (int n = 1; n <= 50; n++) {
                pool.volumeProblems().report("v", VolumeProblem.Kind.WORKLOAD_ERRORS, n, "block " + n);
            }
            org.awaitility.Awaitility.await().until(() -> !events.isEmpty());
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.severity()).isEqualTo(Severity.CRITICAL);
                assertThat(e.type()).isEqualTo("VOLUME_PROBLEM");
            });
            assertThat(pool.snapshot().health()).isEqualTo(PoolSnapshot.Health.CRITICAL);
            assertThat(pool.snapshot().volume("v").problems()).singleElement()
                    .satisfies(p -> assertThat(p.count()).isEqualTo(50));
            assertThat(pool.admin().verify("v", false, null)).isZero();
            assertThat(pool.snapshot().volume("v").problems()).as("a clean verify does not undo a lost write").hasSize(1);
            pool.admin().verify("v", true, null);
            assertThat(pool.snapshot().volume("v").problems()).isEmpty();
        }
    }

    @Test
    void anImageTruncatedUnderTheRunningPoolFailsItsDrive() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        fill();
        try (Pool pool = Pool.open(dir)) {
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            assertThat(DriveImageCheck.run(pool)).isEmpty();
            try (FileChannel ch = FileChannel.open(dir.resolve("drives/d2.img"), StandardOpenOption.WRITE)) {
                ch.truncate(4096);
            }
            assertThat(DriveImageCheck.run(pool)).singleElement().asString().contains("d2", "changed size", "4096");
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.DEGRADED);
            assertThat(pool.problems()).singleElement().asString().contains("d2", "replace");
            assertThat(DriveImageCheck.run(pool)).as("found once").isEmpty();
            org.awaitility.Awaitility.await().until(() -> events.stream().anyMatch(
                    e -> e.severity() == Severity.CRITICAL && e.type().equals("DRIVE_STATE") && e.source().equals("d2")));
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            pool.volume("v").read(0, b); // served by d1
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().drive("d2").state()).as("on record").isEqualTo(DriveState.FAILED);
        }
    }

    @Test
    void aVolumeLeftWithoutItsDataIsACriticalEventNotAWarning() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        fill();
        try (Pool pool = Pool.open(dir)) {
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            pool.admin().failDrive("d1");
            org.awaitility.Awaitility.await().until(() -> events.stream().anyMatch(e -> e.type().equals("VOLUME_STATE")));
            assertThat(events).filteredOn(e -> e.type().equals("VOLUME_STATE")).singleElement()
                    .satisfies(e -> assertThat(e.severity()).as(e.message()).isEqualTo(Severity.WARNING));
            java.nio.file.Files.delete(dir.resolve("drives/d2.img")); // the last copy pulled
            assertThat(DriveImageCheck.run(pool)).singleElement().asString().contains("d2");
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            org.awaitility.Awaitility.await().until(() -> events.stream().filter(e -> e.type().equals("VOLUME_STATE")).count() == 2);
            assertThat(events).filteredOn(e -> e.type().equals("VOLUME_STATE")).last()
                    .satisfies(e -> assertThat(e.severity()).as(e.message()).isEqualTo(Severity.CRITICAL));
        }
    }
}
