package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * 'volume verify --repair' refused part-way (a drive lost writes at a flush that failed for want of
 * space after the repair began: nothing more is repaired until they are written again) had
 * repaired the mismatches before the refusal, and said only why it stopped. Its failure now says
 * how many it repaired first, and carries the count.
 */
class StoppedRepairTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @Test
    void aRepairRefusedPartWaySaysHowManySectorsItRepairedFirst() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2, 8L << 20);
        Path d2;
        try (Pool p = Pool.open(dir)) {
            byte[] data = new byte[4 << 20];
            Arrays.fill(data, (byte) 0x11);
            p.volume("v").write(0, ByteBuffer.wrap(data));
            d2 = p.paths.image("d2").toAbsolutePath();
        }
        try (FileChannel c = FileChannel.open(d2, StandardOpenOption.WRITE)) {
            byte[] odd = new byte[TRACK];
            Arrays.fill(odd, (byte) 0x99);
            c.write(ByteBuffer.wrap(odd), 0); // 128 sectors in the first megabyte the verify checks
            c.write(ByteBuffer.wrap(odd), 3L << 20); // and 128 in the fourth
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            RaidVolume v = p.volume("v");
            Path d1 = p.paths.image("d1").toAbsolutePath();
            boolean[] lost = {false};
            StoppedRepairException stopped = (StoppedRepairException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> p.admin().verify("v", true, done -> {
                        if (!lost[0]) { // after the first megabyte: a host flush that fails on d1
                            lost[0] = true;
                            inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
                            try {
                                v.write(1L << 20, ByteBuffer.wrap(new byte[4096]));
                                v.flush();
                            } catch (IOException expected) {
                                // d1 lost writes
                            }
                        }
                    }));
            assertThat(stopped.repaired()).as("sectors repaired before the refusal").isEqualTo(128);
            assertThat(stopped.getMessage()).contains("128 mismatched sectors").contains("rewriting")
                    .contains("d1").contains("lost writes");
        }
    }
}
