package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.meta.CheckedJson;

/**
 * A member OFFLINE in pool.json with no service window on record (a hand edit) cannot come back by a
 * delta: 'drive online' says so and what to do. Before, it said "drive d2 is OFFLINE; only an OFFLINE
 * drive is brought online", and nothing else named a way out; the way it names works.
 */
class OfflineWithoutWindowTest {

    @TempDir
    Path dir;

    @Test
    void anOfflineDriveWithNoWindowIsSaidToNeedAReplaceAndTheReplaceWorks() throws Exception {
        Pool.create(dir, 2, 1 << 20, 4096, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
        }
        Path json = dir.resolve("pool.json");
        ObjectNode body = (ObjectNode) CheckedJson.MAPPER.readTree(Files.readAllBytes(json)).get("body");
        for (JsonNode d : body.get("drives")) {
            if (d.get("name").asText().equals("d2")) {
                ((ObjectNode) d).put("state", "OFFLINE").put("reason", "firmware");
            }
        }
        CheckedJson.write(StorageFactory.real(), json, PoolConfig.MAGIC, PoolConfig.VERSION, body);

        try (Pool p = Pool.open(dir)) {
            assertThatThrownBy(() -> p.service().online("d2")).isInstanceOf(PoolException.class)
                    .hasMessage("drive d2 is OFFLINE, but no service window of it is on record, so what it missed is"
                            + " unknown: fail it ('drive fail') and replace it ('drive replace') to rebuild it whole");
            p.admin().failDrive("d2");
            Job rebuild = p.admin().replaceDrive("d2");
            assertThat(rebuild.await(30_000)).isTrue();
            assertThat(p.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
        }
    }
}
