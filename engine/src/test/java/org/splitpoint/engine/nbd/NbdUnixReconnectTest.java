package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients of a Unix socket cannot be told apart (no address, and Java's peer credentials name a
 * user, not a process), so {@link ReconnectBackoff}'s wait, keyed by host, took every local client
 * for one host: while one kept reconnecting to a read-only export and leaving without a request,
 * every other local client's handshake to that export waited with it, up to a second. A Unix
 * socket's handshakes are answered at once now, as nbdkit and qemu-nbd answer them.
 */
class NbdUnixReconnectTest {

    private static final int FLAGS = Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES;

    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void aLocalClientIsNotSlowedWhileAnotherKeepsReconnecting() throws Exception {
        Path sock = tmp.resolve("nbd.sock");
        Export ro = new Export("ro", new MemoryDevice(1 << 20), true, "read-only memory");
        NbdLoad.Log log = new NbdLoad.Log();
        try (NbdServer s = NbdServer.unix(sock, new ExportCatalog() {
            @Override
            public List<Export> list() {
                return List.of(ro);
            }

            @Override
            public Export find(String name) {
                return name.equals("ro") ? ro : null;
            }
        }, log)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong storms = new AtomicLong();
            CompletableFuture<Void> storm = CompletableFuture.runAsync(() -> { // as qemu opened read-write does
                while (!stop.get()) {
                    try (NbdTestClient c = new NbdTestClient(sock, FLAGS)) {
                        c.go("ro", Nbd.OPT_GO);
                        storms.incrementAndGet();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            try {
                TimeUnit.SECONDS.sleep(2); // (before: the storm's wait grown to its 1 s)
                assertThat(storms.get()).as("the storm's handshakes").isGreaterThan(0);
                for (int i = 0; i < 3; i++) { // a reader, connecting again and again beside the storm
                    try (NbdTestClient c = new NbdTestClient(sock, FLAGS)) {
                        long t0 = System.nanoTime();
                        c.go("ro", Nbd.OPT_GO);
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        assertThat(ms).as("reader %d's handshake beside the storm, ms", i).isLessThan(300);
                        c.request(Nbd.CMD_READ, 0, 1, 0, 4096, null);
                        assertThat(c.reply(h -> 4096).error()).isZero();
                    }
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            } finally {
                stop.set(true);
                storm.get(10, TimeUnit.SECONDS);
            }
            assertThat(log.matching("keeps reconnecting")).as(log.toString()).isEmpty();
        }
    }
}
