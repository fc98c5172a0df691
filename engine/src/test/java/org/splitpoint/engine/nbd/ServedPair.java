package org.splitpoint.engine.nbd;

import java.nio.file.Path;
import java.util.List;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * A pool of six 8 MiB drives whose pair p1 (STD prod on d1-d2, BCV copy on d3-d4, both RAID 1) is
 * established, so copy is exported read-only, served on a free loopback port; d5 and d6 are free.
 */
record ServedPair(Pool pool, NbdServer server, NbdLoad.Log log) implements AutoCloseable {

    static ServedPair start(Path dir) throws Exception {
        Pool.create(dir, 6, 8 << 20, 65536, StorageFactory.real());
        Pool pool = Pool.open(dir);
        pool.admin().createVolume("prod", Layout.RAID1, List.of("d1", "d2"), 0);
        pool.admin().createVolume("copy", Layout.RAID1, List.of("d3", "d4"), 0);
        pool.pairs().create("p1", "prod", "copy");
        pool.pairs().establish("p1", true).await(30_000);
        NbdLoad.Log log = new NbdLoad.Log();
        return new ServedPair(pool, NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), log), log);
    }

    @Override
    public void close() throws Exception {
        try {
            server.close();
        } finally {
            pool.close();
        }
    }
}
