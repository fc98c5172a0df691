package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;

/** The start of most restore tests: volume v of a pool filled, backed up in full, then (often) overwritten. */
final class BackedUp {

    private BackedUp() {
    }

    /**
     * Fills volume v of the pool at {@code dir} with random bytes ({@code seed}), backs it up in full
     * into {@code store}, and, when {@code overwrite}, writes other random bytes over all of it
     * (flushed), so a restore has every track to bring back. Returns the bytes backed up.
     */
    static byte[] volume(Path dir, Path store, long seed, boolean overwrite) throws Exception {
        try (Pool pool = Pool.open(dir)) {
            BlockDevice v = pool.device("v");
            byte[] model = new byte[(int) v.size()];
            new Random(seed).nextBytes(model);
            v.write(0, ByteBuffer.wrap(model));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            if (overwrite) {
                byte[] other = new byte[model.length];
                new Random(seed + 1).nextBytes(other);
                v.write(0, ByteBuffer.wrap(other));
                v.flush();
            }
            return model;
        }
    }

    /** Flips the byte at {@code at} of the data of the store's only image (a full image of random tracks holds track t at t × track size). */
    static void damage(Path store, long at) throws Exception {
        ImageInfo image = DirectoryStore.open(store, StorageFactory.real(), false).list().get(0);
        Path data = store.resolve("images").resolve(image.id()).resolve("data");
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, at);
        }
    }
}
