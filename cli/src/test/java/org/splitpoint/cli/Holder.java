package org.splitpoint.cli;

import java.nio.file.Path;
import org.splitpoint.engine.control.ControlServer;
import org.splitpoint.engine.nbd.NbdServer;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * What {@code splitpoint serve} runs, in the test's process: the pool, its NBD server (logging to
 * the pool's events, as serve does), its control socket.
 */
final class Holder implements AutoCloseable {

    final Pool pool;
    final NbdServer nbd;
    final ControlServer control;

    Holder(Path dir) throws Exception {
        this(dir, System.getProperty("user.name"));
    }

    Holder(Path dir, String allowedUser) throws Exception {
        this(dir, allowedUser, org.splitpoint.engine.io.StorageFactory.real());
    }

    /** As serve, over {@code storage} (a test's disk that fills up, say). */
    Holder(Path dir, org.splitpoint.engine.io.StorageFactory storage) throws Exception {
        this(dir, System.getProperty("user.name"), storage);
    }

    private Holder(Path dir, String allowedUser, org.splitpoint.engine.io.StorageFactory storage) throws Exception {
        pool = Pool.open(dir, storage);
        NbdServer n = null;
        try {
            n = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool),
                    m -> pool.events().publish(org.splitpoint.engine.event.Event.info("NBD", "serve", m)));
            control = ControlServer.start(dir, new HeldPoolCommands(pool), m -> { }, allowedUser);
        } catch (Exception e) {
            if (n != null) {
                n.close();
            }
            pool.close();
            throw e;
        }
        nbd = n;
    }

    String uri(String export) throws Exception {
        return "nbd://127.0.0.1:" + nbd.port() + "/" + export;
    }

    @Override
    public void close() throws Exception {
        try {
            control.close();
            nbd.close(); // its exports' flush may fail (a file system still full)
        } finally {
            pool.close(); // else the pool stayed open, its threads and lock with it, for the next tests
        }
    }
}
