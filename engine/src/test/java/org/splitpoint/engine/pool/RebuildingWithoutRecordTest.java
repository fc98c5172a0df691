package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.meta.CheckedJson;

/**
 * A member REBUILDING in pool.json with no rebuild on record (no code writes that durably: a hand edit, or an old
 * build) has its rebuild started again from the first track at a writable open, and a read-only open says it will
 * be. Before, the drive stayed REBUILDING at 0% for ever, its volume REBUILDING, no job ran and nothing named a way
 * out ('drive replace' refuses a REBUILDING drive).
 */
class RebuildingWithoutRecordTest {

    @TempDir
    Path dir;

    private byte[] data;

    /** RAID {@code layout} over d1..d{@code n} with random data, then d{@code n} REBUILDING by hand, its image scribbled. */
    private void poolWithAnUnrecordedRebuild(Layout layout, int n) throws Exception {
        Pool.create(dir, n, 1 << 20, 4096, StorageFactory.real());
        List<String> drives = new java.util.ArrayList<>();
        for (int i = 1; i <= n; i++) {
            drives.add("d" + i);
        }
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", layout, drives, 0);
            data = new byte[(int) p.volume("v").size()];
            new Random(11).nextBytes(data);
            p.volume("v").write(0, ByteBuffer.wrap(data));
        }
        Path json = dir.resolve("pool.json");
        ObjectNode body = (ObjectNode) CheckedJson.MAPPER.readTree(Files.readAllBytes(json)).get("body");
        for (JsonNode d : body.get("drives")) {
            if (d.get("name").asText().equals("d" + n)) {
                ((ObjectNode) d).put("state", "REBUILDING");
            }
        }
        CheckedJson.write(StorageFactory.real(), json, PoolConfig.MAGIC, PoolConfig.VERSION, body);
        // a rebuild cut short: what the image holds is unknown, so nothing of it may be taken as rebuilt
        try (FileChannel ch = FileChannel.open(dir.resolve("drives/d" + n + ".img"), StandardOpenOption.WRITE)) {
            byte[] junk = new byte[300_000];
            new Random(12).nextBytes(junk);
            ch.write(ByteBuffer.wrap(junk), 100_000);
        }
    }

    private void assertRebuiltAtOpen(Layout layout, int n) throws Exception {
        String drive = "d" + n;
        try (Pool p = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            assertThat(p.openNotes()).anySatisfy(note -> assertThat(note).isEqualTo("drive " + drive + " is REBUILDING,"
                    + " but no rebuild of it is on record, so how much of it was rebuilt is unknown: its rebuild starts"
                    + " again from the first track when the pool is next opened for writing"));
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.openNotes()).anySatisfy(note -> assertThat(note).startsWith("drive " + drive + " is REBUILDING,"
                    + " but no rebuild of it is on record, so how much of it was rebuilt is unknown: its rebuild starts"
                    + " again from the first track"));
            List<Job> rebuilds = p.activeJobs().stream().filter(j -> j.id().startsWith("rebuild")).toList();
            assertThat(rebuilds).as("a rebuild runs").hasSize(1);
            assertThat(rebuilds.get(0).await(30_000)).isTrue();
            assertThat(p.snapshot().drive(drive).state()).isEqualTo(DriveState.ONLINE);
            assertThat(p.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.admin().verify("v", false, null)).as("mismatches after the rebuild").isZero();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.openNotes()).isEmpty();
            // the rebuilt drive alone (the others failed) still reads the volume's bytes
            for (int i = 1; i < n; i++) {
                p.admin().failDrive("d" + i);
                byte[] back = new byte[data.length];
                p.volume("v").read(0, ByteBuffer.wrap(back));
                assertThat(back).as("%s with d%d failed", layout, i).isEqualTo(data);
                if (layout != Layout.RAID1) {
                    break; // a parity volume takes one failure
                }
            }
        }
    }

    @Test
    void aMirrorMemberRebuildingWithoutARecordIsRebuiltFromTheStart() throws Exception {
        poolWithAnUnrecordedRebuild(Layout.RAID1, 2);
        assertRebuiltAtOpen(Layout.RAID1, 2);
    }

    @Test
    void aRaid5MemberRebuildingWithoutARecordIsRebuiltFromTheStart() throws Exception {
        poolWithAnUnrecordedRebuild(Layout.RAID5, 3);
        assertRebuiltAtOpen(Layout.RAID5, 3);
    }
}
