package org.splitpoint.engine.control;

import java.util.Optional;
import java.util.ServiceLoader;
import org.splitpoint.engine.pool.Pool;

/**
 * The command set that runs forwarded {@code ./splitpoint} commands inside the process holding a
 * pool, as a service: the CLI module provides it (META-INF/services), and a holder that is not the
 * CLI — the app — finds it on its class path, so it need not depend on the CLI to answer commands
 * sent to the pool it holds. The app's own code never calls into the CLI.
 */
public interface PoolCommands {

    /** The handler that runs forwarded commands against {@code pool}, already open in this process. */
    CommandHandler forPool(Pool pool);

    /** The command set installed on the class path, if any (the CLI's, when it is there). */
    static Optional<PoolCommands> installed() {
        return ServiceLoader.load(PoolCommands.class, PoolCommands.class.getClassLoader()).findFirst();
    }
}
