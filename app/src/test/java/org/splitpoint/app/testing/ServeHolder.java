package org.splitpoint.app.testing;

import java.nio.file.Path;
import org.splitpoint.cli.HeldPoolCommands;
import org.splitpoint.engine.control.ControlServer;
import org.splitpoint.engine.control.PoolFeed;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.nbd.NbdServer;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * What {@code splitpoint serve} runs, in the test's process: the pool (its lock taken, so the app
 * cannot open it and attaches instead), its NBD server on a free loopback port, its control socket
 * carrying commands and offering the subscription stream.
 */
public final class ServeHolder implements AutoCloseable {

    public final Pool pool;
    public final NbdServer nbd;
    public final ControlServer control;
    public final PoolFeed feed;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public ServeHolder(Path dir) throws Exception {
        pool = Pool.open(dir);
        NbdServer n = null;
        try {
            n = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), m -> pool.events().publish(Event.info("NBD", "serve", m)));
            control = ControlServer.start(dir, new HeldPoolCommands(pool),
                    m -> pool.events().publish(Event.info("COMMAND", "control", m)));
            NbdServer served = n;
            feed = new PoolFeed(pool, "serve").serving(served); // as serve does
            control.offerSubscriptions(feed);
        } catch (Exception e) {
            if (n != null) {
                n.close();
            }
            pool.close();
            throw e;
        }
        nbd = n;
    }

    public int port() throws java.io.IOException {
        return nbd.port();
    }

    @Override
    public void close() throws Exception {
        if (closed.getAndSet(true)) {
            return;
        }
        control.close();
        nbd.close();
        pool.close();
    }
}
