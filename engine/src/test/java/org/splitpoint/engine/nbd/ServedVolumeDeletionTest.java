package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolExports;

/** A volume an NBD client is connected to is not deleted: the refusal names the client; once it left, it may be. */
class ServedVolumeDeletionTest {

    @TempDir
    Path tmp;

    @Test
    void aServedVolumeIsNotDeletedWhileItsClientIsConnected() throws Exception {
        Path dir = tmp.resolve("p");
        Pool.create(dir, 4, 4 << 20, 65536, StorageFactory.real());
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume("prod", Layout.RAID1, List.of("d1", "d2"), 0);
            pool.admin().createVolume("other", Layout.RAID1, List.of("d3", "d4"), 0);
            try (NbdServer server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), m -> { })) {
                try (NbdTestClient c = new NbdTestClient(server.port())) {
                    c.go("prod", Nbd.OPT_GO);
                    // the server records the export chosen just after it answered GO: wait for that
                    long chosen = System.nanoTime() + 30_000_000_000L;
                    while (pool.admin().whyNotDeleteVolume("prod") == null && System.nanoTime() < chosen) {
                        Thread.sleep(5);
                    }
                    String why = pool.admin().whyNotDeleteVolume("prod");
                    assertThat(why).startsWith("volume prod is served over NBD to 127.0.0.1:")
                            .endsWith("; disconnect the client or stop serving first");
                    assertThatThrownBy(() -> pool.admin().deleteVolume("prod")).isInstanceOf(PoolException.class)
                            .hasMessage(why);
                    assertThat(pool.admin().whyNotDeleteVolume("other")).isNull(); // nobody uses it
                }
                long until = System.nanoTime() + 30_000_000_000L;
                while (pool.admin().whyNotDeleteVolume("prod") != null && System.nanoTime() < until) {
                    Thread.sleep(20); // the server notices the client left
                }
                pool.admin().deleteVolume("prod");
            }
            assertThat(pool.snapshot().volume("prod")).isNull();
        }
    }
}
