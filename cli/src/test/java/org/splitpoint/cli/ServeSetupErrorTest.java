package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.pool.Pool;

/**
 * serve whose control server cannot start its thread (OutOfMemoryError: unable to create native
 * thread), after the NBD server listens. Before, the setup's catches took only Exceptions: the Error
 * left the NBD server listening, the control socket bound and the pool open (its lock held) in a
 * process whose command had failed; an in-process caller could not open the pool again.
 */
class ServeSetupErrorTest {

    @TempDir
    Path tmp;

    /** Refuses the next thread the control server makes once armed. */
    @SuppressWarnings("removal")
    private static final class NoControlThread extends SecurityManager {
        final AtomicBoolean armed = new AtomicBoolean(true);

        @Override
        public void checkPermission(java.security.Permission perm) {
        }

        @Override
        public void checkAccess(ThreadGroup g) {
            if (StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getClassName().endsWith("control.ControlServer")))
                    && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("unable to create native thread (injected)");
            }
        }
    }

    @Test
    @Timeout(60) // a serve that comes up would run until stopped
    @SuppressWarnings("removal")
    void aServeWhoseControlThreadCannotStartLetsThePoolAndItsSocketGo() throws Exception {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 2, "--drive-size", "2M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        Path sock = tmp.resolve("nbd.sock");
        CliRun r;
        System.setSecurityManager(new NoControlThread());
        try {
            r = CliRun.of("serve", pool, "--socket", sock);
        } finally {
            System.setSecurityManager(null);
        }
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("unable to create native thread");
        assertThat(Files.exists(sock)).as("the NBD socket closed").isFalse();
        assertThat(Files.exists(pool.resolve("control.sock"))).as("the control socket closed").isFalse();
        try (Pool p = Pool.open(pool)) {
            assertThat(p.volume("v")).as("the pool let go, and opens again").isNotNull();
        }
    }
}
