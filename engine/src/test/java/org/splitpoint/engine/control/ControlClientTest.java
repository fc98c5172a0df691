package org.splitpoint.engine.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a command sent to a holder says when the holder dies (kill -9) before answering. */
class ControlClientTest {

    @TempDir
    Path dir;

    @Test
    void aHolderThatDiesMidCommandIsSaidInASentence() throws Exception {
        Path sock = dir.resolve("c.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread holder = new Thread(() -> { // takes the command, then is gone without an exit frame
                try (SocketChannel c = server.accept()) {
                    Frames.read(new DataInputStream(ChannelStreams.in(c)));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            holder.start();
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(sock));
            assertThatThrownBy(() -> ControlClient.run(ch, List.of("drive", "offline", "p", "d2"), dir, false,
                    new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), new ByteArrayOutputStream()))
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e.getMessage()).as("what the admin reads after 'stopped answering: '")
                            .isNotNull().contains("before the command ended"));
            holder.join();
        }
    }
}
