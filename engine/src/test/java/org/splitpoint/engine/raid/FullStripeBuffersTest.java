package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * Full-stripe writes take their member rows from buffers shared by every thread and reused from
 * write to write (issue 14: the FX pulse gap during a full-speed restore): new arrays per write were
 * 4/3 of every byte written on a 4-drive RAID 5, in humongous arrays whose collections stopped every
 * thread. The bytes still land right: parity starts from the first strip of each stripe, not from
 * whatever the reused buffer held.
 */
class FullStripeBuffersTest {

    @TempDir
    Path dir;

    @Test
    void sixtyFourMebibytesOfFullStripesAllocateAFractionOfThemAndReadBackRight() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 32L << 20, 65536);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            int stripe = 3 * 65536;
            int request = 6 * stripe; // whole stripes: the full-stripe path only
            Random r = new Random(5);
            byte[] data = new byte[request];
            v.write(0, ByteBuffer.wrap(data)); // warm up (class loading, the first arrays)
            long before = threads.getCurrentThreadAllocatedBytes();
            long written = 0;
            for (long at = 0; at + request <= v.size() && written < (64L << 20); at += request) {
                r.nextBytes(data);
                v.write(at, ByteBuffer.wrap(data));
                written += request;
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(allocated).as("bytes allocated writing %d bytes", written).isLessThan(written / 8);
            assertThat(pool.admin().verify("v", false, null)).as("parity mismatches").isZero();
            byte[] got = new byte[request];
            long last = (written / request - 1) * request;
            v.read(last, ByteBuffer.wrap(got));
            assertThat(got).isEqualTo(data);
        }
    }
}
