package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer of a connection's replies: whatever ends it, the connection learns of it, so a client
 * is disconnected rather than left waiting for replies nobody will write.
 */
@Timeout(30)
class OutboxTest {

    /**
     * The JDK copies a heap buffer (a reply's header) into a temporary direct buffer to write it,
     * and that allocation throws OutOfMemoryError when direct memory is short (the server's own
     * buffers are direct too). The writer thread died of it without a word: later replies were
     * queued for good, the client waited forever, and the stall check, which only watches a
     * writer that is writing, never cut it.
     */
    @Test
    void aWriterKilledByAnErrorDisconnectsTheClientInsteadOfLeavingItWaiting() throws Exception {
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(l.getLocalAddress());
             SocketChannel accepted = l.accept()) {
            SocketChannel starved = new FailingWrites(accepted, new OutOfMemoryError("Cannot reserve 20 bytes of direct"
                    + " buffer memory (allocated: 268435440, limit: 268435456)"));
            AtomicReference<Throwable> why = new AtomicReference<>();
            CountDownLatch broken = new CountDownLatch(1);
            Outbox out = new Outbox(starved, t -> {
                why.set(t);
                broken.countDown();
            });
            out.start("outbox-test");
            CountDownLatch written = new CountDownLatch(2);
            out.send(written::countDown, ByteBuffer.allocate(16));
            assertThat(broken.await(5, TimeUnit.SECONDS)).as("the connection is told its writer is gone").isTrue();
            assertThat(why.get()).isInstanceOf(OutOfMemoryError.class);
            out.send(written::countDown, ByteBuffer.allocate(16)); // a later reply is dropped, not queued for good
            assertThat(written.await(5, TimeUnit.SECONDS)).as("every reply's done runs (its memory goes back)").isTrue();
            assertThat(out.awaitEnd(5_000)).isTrue();
        }
    }

    /** A connected channel whose writes throw {@code error}; everything else goes to {@code real}. */
    private static final class FailingWrites extends SocketChannel {
        private final SocketChannel real;
        private final Error error;

        FailingWrites(SocketChannel real, Error error) {
            super(real.provider());
            this.real = real;
            this.error = error;
        }

        @Override
        public int write(ByteBuffer src) {
            throw error;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw error;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public SocketChannel bind(SocketAddress local) throws IOException {
            real.bind(local);
            return this;
        }

        @Override
        public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
            real.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return real.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return real.supportedOptions();
        }

        @Override
        public SocketChannel shutdownInput() throws IOException {
            real.shutdownInput();
            return this;
        }

        @Override
        public SocketChannel shutdownOutput() throws IOException {
            real.shutdownOutput();
            return this;
        }

        @Override
        public Socket socket() {
            return real.socket();
        }

        @Override
        public boolean isConnected() {
            return real.isConnected();
        }

        @Override
        public boolean isConnectionPending() {
            return real.isConnectionPending();
        }

        @Override
        public boolean connect(SocketAddress remote) throws IOException {
            return real.connect(remote);
        }

        @Override
        public boolean finishConnect() throws IOException {
            return real.finishConnect();
        }

        @Override
        public SocketAddress getRemoteAddress() throws IOException {
            return real.getRemoteAddress();
        }

        @Override
        public SocketAddress getLocalAddress() throws IOException {
            return real.getLocalAddress();
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            real.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            real.configureBlocking(block);
        }
    }
}
