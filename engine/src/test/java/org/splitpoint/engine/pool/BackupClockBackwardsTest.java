package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.meta.CheckedJson;

/**
 * The clock set back between two backups (a host's clock corrected, NTP stepping back, a VM restored) does not make
 * the newer image the older one. Images were ordered by their creation time alone: a full backup at 10:00, the clock
 * set back an hour, an incremental on it at 09:30, and 'backup restore' without --at took the full one for the
 * newest and restored the volume as of the full backup, the incremental's writes gone, without a word; 'backup list'
 * showed the incremental above its own parent. An image now always comes after the image it builds on.
 */
class BackupClockBackwardsTest {

    @TempDir
    Path tmp;

    @Test
    void anIncrementalTakenAfterTheClockWentBackIsStillTheNewestImage() throws Exception {
        Path dir = tmp.resolve("p");
        Path store = tmp.resolve("store");
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        try (Pool pool = Pool.open(dir)) {
            pool.volume("v").write(0, ByteBuffer.wrap(new byte[] {1, 1, 1, 1}));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            pool.volume("v").write(0, ByteBuffer.wrap(new byte[] {2, 2, 2, 2}));
            assertThat(pool.backups().backup("v", store, false, 0).await(60_000)).isTrue();
        }
        // the full image's time an hour after the incremental's: as if the clock went back between the two
        DirectoryStore st = DirectoryStore.open(store, StorageFactory.real(), false);
        List<ImageInfo> images = st.list();
        assertThat(images).hasSize(2);
        ImageInfo full = images.stream().filter(i -> i.parent() == null).findFirst().orElseThrow();
        ImageInfo incremental = images.stream().filter(i -> i.parent() != null).findFirst().orElseThrow();
        Path manifest = store.resolve("images").resolve(full.id()).resolve("manifest.json");
        assertThat(manifest).exists();
        String later = java.time.Instant.parse(incremental.createdAt()).plusSeconds(3600).toString();
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) CheckedJson.MAPPER.readTree(
                Files.readAllBytes(manifest)).get("body");
        node.put("createdAt", later);
        CheckedJson.write(StorageFactory.real(), manifest, ImageInfo.MAGIC, ImageInfo.VERSION, node);

        assertThat(DirectoryStore.open(store, StorageFactory.real(), false).list()).extracting(ImageInfo::id)
                .as("oldest first: an image after the one it builds on").containsExactly(full.id(), incremental.id());
        try (Pool pool = Pool.open(dir)) {
            pool.volume("v").write(0, ByteBuffer.wrap(new byte[] {3, 3, 3, 3})); // lost: the restore takes it back
            Job bulk = pool.instantRestores().restore("v", store, null, false, 0);
            assertThat(bulk.await(60_000)).isTrue();
            byte[] back = new byte[4];
            pool.volume("v").read(0, ByteBuffer.wrap(back));
            assertThat(back).as("the volume as of the newest backup, the incremental").containsExactly(2, 2, 2, 2);
        }
    }
}
