package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A pool whose meta/snapshots.log is lost opens on a full file system: the snapshots are invalid in
 * memory, said in the open's notes, and, as nothing of it could be recorded, no new log is made
 * either, so the next opening finds the log lost again and decides the same; once space is freed,
 * that opening records it. Before, the invalidation wrote pool.json directly and its failure failed
 * the open, unlike every other decision an opening makes ({@link Pool#persistAtOpen}).
 */
class LostSaveLogFullFileSystemTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aLostSaveLogOnAFullFileSystemStillOpensThePool() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            p.device("v").write(0, ByteBuffer.wrap(new byte[TRACK]));
            p.snapshots().create("v", "s");
            p.device("v").write(0, ByteBuffer.wrap(new byte[] {7})); // a save the lost log held
        }
        Files.delete(dir.resolve("meta/snapshots.log"));
        byte[] poolJson = Files.readAllBytes(dir.resolve("pool.json"));
        FaultInjector full = new FaultInjector(StorageFactory.real()).diskFullAfter(
                f -> f.getFileName().toString().startsWith("pool.json") || f.getFileName().toString().startsWith("snapshots.log"), 0);
        try (Pool p = Pool.open(dir, full)) {
            assertThat(p.snapshots().list("v")).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo("invalid"));
            assertThat(p.openNotes()).anyMatch(n -> n.contains("cannot be written to pool.json now"));
            assertThatThrownBy(() -> p.snapshots().create("v", "t")).hasMessageContaining("save area");
            p.device("v").write(0, ByteBuffer.wrap(new byte[] {8})); // hosts go on: no snapshot needs a save
            p.device("v").flush();
        }
        assertThat(Files.readAllBytes(dir.resolve("pool.json"))).as("pool.json unchanged").isEqualTo(poolJson);
        assertThat(dir.resolve("meta/snapshots.log")).as("no new log beside a record saying the snapshot is valid").doesNotExist();
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshots().list("v")).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo("invalid"));
            p.snapshots().create("v", "t");
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshots().list("v")).extracting(SnapshotAdmin.Info::state).containsExactly("invalid", "valid");
        }
    }
}
