package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFile;

/**
 * An instant restore refused before its record (its write-through image cannot be made: the store's
 * file system full) leaves nothing behind, its overwrite map's file handle included. Before, the map
 * was deleted but its handle stayed open for the life of the pool, one more at every attempt.
 */
class RefusedRestoreMapHandleTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aRestoreRefusedBeforeItsRecordClosesItsMap() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 95, true);
        AtomicInteger mapHandles = new AtomicInteger();
        AtomicBoolean storeFull = new AtomicBoolean(true);
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            public StorageFile create(Path path) throws IOException {
                if (storeFull.get() && path.startsWith(store)) {
                    throw new NoSpaceException("No space left on device (injected) creating " + path.getFileName());
                }
                return super.create(path);
            }

            @Override
            protected StorageFile wrap(Path path, StorageFile file) {
                if (!path.getFileName().toString().equals("v.restore.inv")) {
                    return file;
                }
                mapHandles.incrementAndGet();
                return new ForwardingFile(file) {
                    @Override
                    public void close() throws IOException {
                        mapHandles.decrementAndGet();
                        super.close();
                    }
                };
            }
        };
        try (Pool pool = Pool.open(dir, storage)) {
            assertThatThrownBy(() -> pool.instantRestores().restore("v", store, null, true, 0))
                    .hasMessageContaining("No space left on device");
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            assertThat(Files.exists(dir.resolve("meta/v.restore.inv"))).as("the map deleted").isFalse();
            assertThat(mapHandles.get()).as("the refused restore's map handles left open").isZero();
            storeFull.set(false);
            assertThat(pool.instantRestores().restore("v", store, null, true, 0).await(30_000)).isTrue();
        }
        assertThat(mapHandles.get()).as("every map handle closed with the pool").isZero();
    }
}
