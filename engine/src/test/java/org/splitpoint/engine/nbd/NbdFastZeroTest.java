package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * NBD_CMD_FLAG_FAST_ZERO with NBD_CMD_FLAG_NO_HOLE, over a raw socket, on a pool whose file system
 * punches holes but cannot zero a range in place (tmpfs: fallocate ZERO_RANGE is EOPNOTSUPP). The
 * protocol: a fast zero "MUST fail quickly with NBD_ENOTSUP unless the request can be serviced in
 * less time than a corresponding NBD_CMD_WRITE", and SHOULD NOT alter the export then; "the
 * server's determination ... MAY depend on ... whether the NBD_CMD_FLAG_NO_HOLE flag was present".
 * The server answered by the holes alone, so it took the request and wrote the zeros.
 */
@Timeout(60)
class NbdFastZeroTest {

    @Test
    void fastZeroWithNoHoleIsRefusedWhereTheImagesCannotZeroInPlaceAndWithoutItIsDone() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs"), "needs a tmpfs at /dev/shm");
        Path dir = Files.createTempDirectory(shm, "nbd-fast-zero-");
        try {
            Pool.create(dir, 2, 8 << 20, 65536, StorageFactory.real());
            byte[] data = new byte[4 << 20];
            new Random(3).nextBytes(data);
            try (Pool pool = Pool.open(dir)) {
                pool.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
                pool.device("v").write(0, ByteBuffer.wrap(data));
                try (NbdServer server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), m -> { });
                     NbdTestClient c = new NbdTestClient(server.port())) {
                    c.go("v", Nbd.OPT_GO);
                    c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_FAST_ZERO | Nbd.CMD_FLAG_NO_HOLE, 1, 0, 2 << 20, null);
                    assertThat(c.reply(h -> 0).error()).as("zeros would be written: not fast").isEqualTo(Nbd.ENOTSUP);
                    assertThat(read(pool, 0, 2 << 20)).as("a refused fast zero changes nothing")
                            .isEqualTo(java.util.Arrays.copyOf(data, 2 << 20));
                    c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_FAST_ZERO, 2, 2 << 20, 2 << 20, null);
                    assertThat(c.reply(h -> 0).error()).as("holes punched: fast").isZero();
                    c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_NO_HOLE, 3, 0, 2 << 20, null);
                    assertThat(c.reply(h -> 0).error()).as("without FAST_ZERO it is done, writing zeros").isZero();
                }
                assertThat(read(pool, 0, 4 << 20)).isEqualTo(new byte[4 << 20]);
            }
        } finally {
            try (var all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static byte[] read(Pool pool, long offset, int len) throws Exception {
        byte[] b = new byte[len];
        pool.device("v").read(offset, ByteBuffer.wrap(b));
        return b;
    }
}
