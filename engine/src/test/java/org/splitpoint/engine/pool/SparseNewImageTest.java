package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A new drive image allocates no block, as {@code qemu-img create -f raw} or {@code truncate -s}
 * make one: before, the image was sized by writing its last byte, which allocated its last block
 * (4 KiB per drive, and a block that a sparse copy or a thin-provisioned store has to carry).
 */
class SparseNewImageTest {

    @TempDir
    Path tmp;

    @Test
    void aNewPoolsDrivesHoldNoBlock() throws Exception {
        assumeTrue(fileSystemKeepsHoles(), "this file system allocates the blocks of a file extended by truncate");
        Path dir = tmp.resolve("p");
        Pool.create(dir, 3, 64L << 20, ServicePools.TRACK, StorageFactory.real());
        for (int i = 1; i <= 3; i++) {
            Path img = dir.resolve("drives/d" + i + ".img");
            assertThat(Files.size(img)).isEqualTo(64L << 20);
            assertThat(blocks(img)).as("blocks allocated to d" + i + "'s new image").isZero();
        }
    }

    @Test
    void anAddedDriveHoldsNoBlock() throws Exception {
        assumeTrue(fileSystemKeepsHoles(), "this file system allocates the blocks of a file extended by truncate");
        Path dir = tmp.resolve("p");
        Pool.create(dir, 1, 16L << 20, ServicePools.TRACK, StorageFactory.real());
        String name;
        try (Pool p = Pool.open(dir)) {
            name = p.admin().addDrive(32L << 20);
        }
        Path img = dir.resolve("drives/" + name + ".img");
        assertThat(Files.size(img)).isEqualTo(32L << 20);
        assertThat(blocks(img)).as("blocks allocated to the added drive's image").isZero();
    }

    /** A file extended by truncate(2) holds no block here (tmpfs, ext4, xfs, btrfs do). */
    private boolean fileSystemKeepsHoles() throws Exception {
        Path probe = tmp.resolve("probe");
        try (RandomAccessFile f = new RandomAccessFile(probe.toFile(), "rw")) {
            f.setLength(8L << 20);
        }
        boolean holes = blocks(probe) == 0;
        Files.delete(probe);
        return holes;
    }

    /** st_blocks, as stat(1) gives it. */
    private static long blocks(Path p) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(stat.waitFor()).as("stat: " + out).isZero();
        return Long.parseLong(out);
    }
}
