package org.splitpoint.app.testing;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.splitpoint.engine.pool.Pool;

/** Damage done behind the engine's back, for the tests of problems it must find. */
public final class Corruption {

    private Corruption() {
    }

    /**
     * Writes the first MiB of {@code volume} (so every member holds data there), then overwrites 4 KiB
     * of drive {@code drive}'s image at offset 0 with 0xFF: a verify then finds 8 mismatched sectors.
     */
    public static void scribble(Pool pool, String volume, String drive) throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(9).nextBytes(data);
        pool.device(volume).write(0, ByteBuffer.wrap(data));
        pool.device(volume).flush();
        byte[] junk = new byte[4096];
        Arrays.fill(junk, (byte) 0xFF);
        try (FileChannel ch = FileChannel.open(pool.dir().resolve("drives").resolve(drive + ".img"),
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(junk), 0);
        }
    }

    /** Cuts {@code drive}'s image to 4 KiB, as a mistaken {@code truncate} would. */
    public static void truncate(Path poolDir, String drive) throws Exception {
        try (FileChannel ch = FileChannel.open(poolDir.resolve("drives").resolve(drive + ".img"), StandardOpenOption.WRITE)) {
            ch.truncate(4096);
        }
    }
}
