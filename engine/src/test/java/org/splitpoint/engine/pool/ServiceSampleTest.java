package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.LargestAllocation;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The checksums of sampled tracks a service window records when a drive goes offline (and compares
 * when it returns, to tell a swapped or changed image) are of whole tracks, read a megabyte at a
 * time: a buffer of a track's size per sample was a gigabyte of heap each on a pool of 1 GiB tracks.
 */
class ServiceSampleTest {

    private static final int TRACK = 16 << 20;

    @TempDir
    Path dir;

    private static int crc(byte[] b, int from, int len) {
        CRC32C c = new CRC32C();
        c.update(b, from, len);
        return (int) c.getValue();
    }

    @Test
    void samplesAreWholeTrackChecksumsReadInPieces() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 64L << 20, TRACK);
        byte[] data = new byte[40 << 20]; // tracks 0-1 whole, track 2 in half, track 3 never written
        new Random(3).nextBytes(data);
        try (Pool pool = Pool.open(dir)) {
            pool.volume("v").write(0, ByteBuffer.wrap(data));
        }
        byte[] image = Files.readAllBytes(dir.resolve("drives/d1.img"));
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            @SuppressWarnings("unchecked")
            List<String>[] samples = new List[1];
            long largest = LargestAllocation.during(() -> samples[0] = ImageSamples.sample(pool, dir.resolve("drives/d1.img"), v,
                    List.of(0L, 1L, 2L, 3L)));
            assertThat(largest).as("the largest buffer sampling four 16 MiB tracks").isLessThanOrEqualTo(2L << 20);
            int zeros = crc(new byte[TRACK], 0, TRACK);
            assertThat(ImageSamples.zeroTrackCrc(pool)).isEqualTo(zeros);
            assertThat(samples[0]).containsExactly(
                    "0:" + Integer.toHexString(crc(image, 0, TRACK)),
                    "1:" + Integer.toHexString(crc(image, TRACK, TRACK)),
                    "2:" + Integer.toHexString(crc(image, 2 * TRACK, TRACK)),
                    "3:" + Integer.toHexString(zeros));
        }
    }
}
