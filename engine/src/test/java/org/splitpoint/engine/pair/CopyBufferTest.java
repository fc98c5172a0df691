package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A pair copy reuses its threads' buffers: it allocated a new 1 MiB direct buffer per run, 1 GiB per
 * GiB copied, left for a later garbage collection to free (and the collections it brought stopped
 * the app's window thread during a full-speed restore). Counted by the JVM's direct buffer pool.
 */
class CopyBufferTest {

    @TempDir
    Path dir;

    @Test
    void aFullCopyAllocatesNoDirectBufferPerRun() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 64L << 20, 65536, 1);
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            pool.pairs().split(java.util.List.of("p1"));
            long before = direct.getCount();
            assertThat(pool.pairs().restore("p1", true, false).await(60_000)).isTrue(); // 64 runs of 1 MiB
            assertThat(direct.getCount() - before).as("direct buffers allocated by a 64 MiB restore").isLessThan(24);
        }
    }
}
