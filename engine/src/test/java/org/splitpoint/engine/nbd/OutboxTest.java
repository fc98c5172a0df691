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

    /**
     * A task runs on the writer in its turn among the replies, and what it sends is written next,
     * before the replies queued after it: a read done by the writer goes out while its bytes are
     * still in the CPU's cache (InlineReads).
     */
    @Test
    void aTaskRunsOnTheWriterInItsTurnAndItsReplyGoesOutRightAfterIt() throws Exception {
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(l.getLocalAddress());
             SocketChannel accepted = l.accept()) {
            Outbox out = new Outbox(accepted, t -> { });
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            AtomicReference<String> ranOn = new AtomicReference<>();
            out.start("outbox-test");
            out.run(task(() -> { // keeps the writer busy while the rest is queued
                holding.countDown();
                await(hold);
            }, () -> { }));
            assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
            out.send(null, bytes('a'));
            out.run(task(() -> {
                ranOn.set(Thread.currentThread().getName());
                out.send(null, bytes('t'), bytes('T'));
            }, () -> { }));
            out.send(null, bytes('b'));
            out.send(null, bytes('c'));
            hold.countDown();
            ByteBuffer got = ByteBuffer.allocate(5);
            while (got.hasRemaining() && client.read(got) >= 0) {
                // until all five bytes came
            }
            assertThat(new String(got.array(), java.nio.charset.StandardCharsets.US_ASCII))
                    .as("the task's reply before the replies queued after the task").isEqualTo("atTbc");
            assertThat(ranOn.get()).isEqualTo("outbox-test");
            out.finish(null);
            assertThat(out.awaitEnd(5_000)).isTrue();
        }
    }

    /**
     * Tasks queued when the connection ends (or queued after) are dropped, each told once, so the
     * requests they carry are ended and their memory goes back; a task that throws ends the writer
     * like a failed write, and the reply it sent before throwing still has its done run.
     */
    @Test
    void tasksAreDroppedOnceWhenTheConnectionEndsAndAThrowingTaskEndsTheWriter() throws Exception {
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(l.getLocalAddress());
             SocketChannel accepted = l.accept()) {
            Outbox out = new Outbox(accepted, t -> { });
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger dropped = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
            out.start("outbox-test");
            out.run(task(() -> {
                holding.countDown();
                await(hold);
            }, dropped::incrementAndGet));
            assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 3; i++) {
                out.run(task(ran::incrementAndGet, dropped::incrementAndGet));
            }
            out.abort();
            hold.countDown();
            assertThat(out.awaitEnd(5_000)).isTrue();
            assertThat(out.run(task(ran::incrementAndGet, dropped::incrementAndGet))).as("queued after the end").isFalse();
            assertThat(dropped).as("the three queued and the one after, once each").hasValue(4);
            assertThat(ran).hasValue(0);
        }
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(l.getLocalAddress());
             SocketChannel accepted = l.accept()) {
            AtomicReference<Throwable> why = new AtomicReference<>();
            Outbox out = new Outbox(accepted, why::set);
            CountDownLatch done = new CountDownLatch(1);
            out.start("outbox-test");
            out.run(task(() -> {
                out.send(done::countDown, bytes('x'));
                throw new IllegalStateException("injected");
            }, () -> { }));
            assertThat(done.await(5, TimeUnit.SECONDS)).as("the reply the task sent is let go").isTrue();
            assertThat(out.awaitEnd(5_000)).isTrue();
            assertThat(why.get()).hasMessage("injected");
        }
    }

    private static Outbox.Task task(Runnable run, Runnable dropped) {
        return new Outbox.Task() {
            @Override
            public void run() {
                run.run();
            }

            @Override
            public void dropped() {
                dropped.run();
            }
        };
    }

    private static ByteBuffer bytes(char c) {
        return ByteBuffer.wrap(new byte[] {(byte) c});
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
