package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A window's files (its delta, its log or repository in meta/) are deleted after the pool.json
 * write that ends it. A power cut between the two leaves them, their deletions lost with their
 * unsynced directory (ServiceLogCompactionCrashTest's first version saw v.delta.log and v.repo.1
 * after a return whose end was on record), and no opening looked at them again: a log of any size
 * stayed in meta/ until the volume's next window. Here the files are put back as such a cut leaves
 * them; a look leaves them, a writable opening deletes them.
 */
class WindowFilesAfterEndCrashTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = LogMode.class, names = {"DATA", "REPOSITORY"})
    void theFilesOfAWindowEndedOnRecordAreDeletedAtTheNextOpening(LogMode mode) throws Exception {
        Path dir = tmp.resolve("pool");
        Pool.create(dir, 2, 4L << 20, ServicePools.TRACK, StorageFactory.real());
        byte[] written = TestPools.filled(2 * ServicePools.TRACK, 0x33);
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.service().offline("d2", OfflineReason.RESET, mode);
            ServicePools.awaitJobs(p);
            p.volume("v").write(0, ByteBuffer.wrap(written));
            p.volume("v").flush();
        }
        Path kept = tmp.resolve("kept");
        Files.createDirectories(kept);
        List<String> names = windowFiles(dir);
        assertThat(names).as("the window's files in meta/").isNotEmpty();
        for (String n : names) {
            Files.copy(dir.resolve("meta").resolve(n), kept.resolve(n));
        }
        try (Pool p = Pool.open(dir)) {
            Job back = p.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            ServicePools.awaitJobs(p);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
        }
        assertThat(windowFiles(dir)).as("after the return").isEmpty();
        for (String n : names) { // as a cut after the end's pool.json write leaves them
            Files.copy(kept.resolve(n), dir.resolve("meta").resolve(n), StandardCopyOption.REPLACE_EXISTING);
        }
        try (Pool p = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
        }
        assertThat(windowFiles(dir)).as("after a look").containsExactlyInAnyOrderElementsOf(names);
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(TestPools.readAll(p.volume("v"))).startsWith(written);
        }
        assertThat(windowFiles(dir)).as("the files of the ended window after an opening").isEmpty();
    }

    private static List<String> windowFiles(Path pool) throws Exception {
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(pool.resolve("meta"))) {
            s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("v.delta") || n.startsWith("v.repo"))
                    .forEach(files::add);
        }
        return files;
    }
}
