package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * An image whose sync failed (a writeback error on the store's disk: the kernel drops the pages it
 * could not write and marks them clean, and the next fsync succeeds without them) may have lost
 * the bytes of tracks its index names. A later sync that succeeds says nothing of them, so neither
 * it nor the seal may report the image durable: sealed, it failed 'backup verify' as damaged.
 */
class ImageSyncFailureTest {

    @TempDir
    Path tmp;

    @Test
    void anImageWhoseSyncFailedIsNeverSealedAsGood() throws Exception {
        FaultInjector disk = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost(); // writes stay unforced until a force: the failed one loses them
        DirectoryStore store = DirectoryStore.open(tmp.resolve("store"), disk, true);
        ImageInfo header = new ImageInfo("v-20250101-000000-abcd-full", store.uuid(), "v", 1 << 20, 4096,
                java.time.Instant.now().toString(), null, ImageInfo.Kind.FULL, 0, 0, null, null);
        ImageWriter w = store.create(header);
        byte[] track = new byte[4096];
        new Random(5).nextBytes(track);
        w.putTrack(0, track, track.length);
        disk.failForces(f -> f.getFileName().toString().equals("data"), 1);
        assertThatThrownBy(w::sync).isInstanceOf(IOException.class); // a checkpoint of the copy
        new Random(6).nextBytes(track);
        w.putTrack(1, track, track.length);
        ImageInfo sealed;
        try {
            sealed = w.seal();
        } catch (IOException e) {
            return; // refused: nothing says the image is good
        }
        try (ImageReader r = store.open(sealed.id())) {
            r.verify(null); // a sealed image must hold what its index names
        }
    }
}
