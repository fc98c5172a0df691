package org.splitpoint.engine.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of local clients (nbdinfo, nbdcopy's connections, qemu) connecting to a Unix socket
 * before its server accepts them is queued, not refused. Local NBD clients connect without
 * blocking (libnbd does), and a Unix listener whose backlog is full refuses at once with EAGAIN:
 * with the JDK's default of 50, 150 nbdinfo started together against 'serve --socket' failed 94
 * times, "connect: server backlog overflowed, see https://bugzilla.redhat.com/1925045: Resource
 * temporarily unavailable".
 */
class UnixSocketBacklogTest {

    @TempDir
    Path dir;

    @Test
    void aBurstOfNonBlockingConnectsIsQueuedNotRefused() throws IOException {
        int clients = 120; // over the JDK's 50, within an older kernel's somaxconn of 128
        UnixSocketFile sock = UnixSocketFile.bind(dir.resolve("s.sock"), "choose another path");
        List<SocketChannel> open = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) { // nobody accepts meanwhile: a busy accept thread
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                open.add(c);
                c.configureBlocking(false);
                try {
                    c.connect(UnixDomainSocketAddress.of(sock.path()));
                } catch (IOException e) {
                    refused.add("client " + (i + 1) + ": " + e.getMessage());
                }
            }
            assertThat(refused).as("connects refused while " + clients + " waited to be accepted").isEmpty();
        } finally {
            for (SocketChannel c : open) {
                c.close();
            }
            sock.close();
        }
    }
}
