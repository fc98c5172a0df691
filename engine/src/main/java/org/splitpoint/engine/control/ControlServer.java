package org.splitpoint.engine.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.splitpoint.engine.net.UnixSocketFile;

/**
 * The local control socket of a held pool ({@code control.sock} in the pool directory, or for a
 * pool too deep for a Unix socket path a socket in a private runtime directory named by
 * {@code control.sock.path}: see {@link ControlSocketPlace}), through
 * which {@code ./splitpoint} commands for that pool are carried out by the holding process (the
 * app or {@code serve}) with the same output, exit code and progress line as when run directly.
 *
 * <p>Design. The socket file is created owner-only (0600) and every connection's peer credentials
 * (SO_PEERCRED) must name the server's own user, so a file-permission slip still lets no one else
 * in. What is at the socket's path is replaced only when it is a stale socket, and removed at
 * close only when it is still ours ({@link UnixSocketFile}). Each connection carries one command: its arguments and working directory in, its stdout,
 * stderr and exit code out, and stdin streamed only once the command asks for it. A connection
 * may instead subscribe to the pool's live state ({@link PoolFeed}), under the same owner-only rule.
 */
public final class ControlServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final UnixSocketFile socket;
    private final Path pointer;
    private final ServerSocketChannel listener;
    private final CommandHandler handler;
    private final Consumer<String> log;
    private final Thread acceptor;
    private final String allowedUser;
    private volatile boolean closing;
    private volatile PoolFeed feed;

    private ControlServer(UnixSocketFile socket, Path pointer, CommandHandler handler, Consumer<String> log,
                          String allowedUser) {
        this.allowedUser = allowedUser;
        this.socket = socket;
        this.pointer = pointer;
        this.listener = socket.channel();
        this.handler = handler;
        this.log = log;
        this.acceptor = new Thread(this::acceptLoop, "splitpoint-control");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** The control socket in the pool directory {@code poolDir} (used when its path fits a Unix socket). */
    public static Path socketOf(Path poolDir) {
        return poolDir.resolve(ControlSocketPlace.SOCKET);
    }

    /** The file through which clients find a control socket kept outside the pool directory. */
    public static Path pointerOf(Path poolDir) {
        return poolDir.resolve(ControlSocketPlace.POINTER);
    }

    /** The socket this server listens on. */
    public Path socketPath() {
        return socket.path();
    }

    /**
     * Listens at the control socket of the pool in {@code poolDir}, owner-only: {@code control.sock}
     * there, or a socket in the runtime directory named by {@code control.sock.path} when the pool's
     * path is too long. A stale socket is replaced; anything else in the way is refused.
     */
    public static ControlServer start(Path poolDir, CommandHandler handler, Consumer<String> log) throws IOException {
        return start(poolDir, handler, log, System.getProperty("user.name"));
    }

    /** As above, accepting commands only from {@code allowedUser} (normally this process's user). */
    public static ControlServer start(Path poolDir, CommandHandler handler, Consumer<String> log, String allowedUser)
            throws IOException {
        Path dir = poolDir.toAbsolutePath().normalize();
        Path path = ControlSocketPlace.forHolder(dir);
        UnixSocketFile sock = UnixSocketFile.bind(path, "move it away, then hold pool " + dir + " again");
        try {
            try {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException noPosix) {
                // a file system without POSIX permissions; the peer-credential check still applies
            }
            Path pointer = null;
            if (dir.equals(path.getParent())) {
                ControlSocketPlace.removeStalePointer(dir);
            } else {
                pointer = ControlSocketPlace.writePointer(dir, path);
            }
            return new ControlServer(sock, pointer, handler, log, allowedUser);
        } catch (IOException | RuntimeException | Error e) { // (its thread may fail to start: the socket goes too)
            sock.close();
            throw e;
        }
    }

    private void acceptLoop() {
        while (!closing) {
            try {
                SocketChannel c = listener.accept();
                Thread t = new Thread(() -> serve(c), "splitpoint-control-command");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closing) {
                    log.accept("control socket: " + e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(ChannelStreams.in(c)));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ChannelStreams.out(c)));
            Frames.Frame first = Frames.read(in);
            if (first.type() == Frames.SUBSCRIBE) {
                subscribe(c, first, in, out);
                return;
            }
            if (first.type() != Frames.COMMAND) {
                return;
            }
            // read the command first, so the refusal reaches a client that is still writing it
            String refused = refusal(c);
            if (refused != null) {
                byte[] msg = ("splitpoint: " + refused + "\n").getBytes(StandardCharsets.UTF_8);
                Frames.write(out, Frames.STDERR, msg, 0, msg.length);
                exit(out, 1);
                log.accept("refused a command from " + peerName(c));
                return;
            }
            JsonNode cmd = JSON.readTree(first.data());
            List<String> args = new ArrayList<>();
            cmd.path("args").forEach(a -> args.add(a.asText()));
            Path cwd = Path.of(cmd.path("cwd").asText("/"));
            boolean terminal = cmd.path("terminal").asBoolean(false);
            StdinPump stdin = new StdinPump(in, out);
            int code = handler.run(args, cwd, terminal, stdin, new FrameOutput(out, Frames.STDOUT),
                    new FrameOutput(out, Frames.STDERR));
            exit(out, code); // the handler logs the command itself; here only refusals and failures
        } catch (IOException e) {
            log.accept("control command ended: " + e.getMessage());
        }
    }

    /** Why the peer of {@code c} may not use this socket (it is not the holder's user), or null. */
    private String refusal(SocketChannel c) throws IOException {
        UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
        if (peer.user().getName().equals(allowedUser)) {
            return null;
        }
        return "the pool is held by user " + allowedUser + "; user " + peer.user().getName()
                + " may not use its control socket";
    }

    private static String peerName(SocketChannel c) {
        try {
            return "user " + c.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName();
        } catch (IOException | RuntimeException e) {
            return "a peer whose user is unknown";
        }
    }

    /** A subscription: the same owner-only rule as a command, then the feed streams until either side leaves. */
    private void subscribe(SocketChannel c, Frames.Frame first, DataInputStream in, DataOutputStream out)
            throws IOException {
        String refused = refusal(c);
        PoolFeed f = feed;
        if (refused == null && f == null) {
            refused = "this holder of the pool offers no subscriptions";
        }
        if (refused != null) {
            PoolFeed.refuse(out, refused);
            log.accept("refused a subscription from " + peerName(c));
            return;
        }
        f.serve(JSON.readTree(first.data()), in, out, c);
    }

    /**
     * Offers the subscription stream of {@code poolFeed} on this socket (see {@link PoolFeed}); the
     * holders ({@code serve}, the app) call it right after {@link #start}.
     */
    public void offerSubscriptions(PoolFeed poolFeed) {
        this.feed = poolFeed;
    }

    private static void exit(DataOutputStream out, int code) throws IOException {
        byte[] b = java.nio.ByteBuffer.allocate(4).putInt(code).array();
        Frames.write(out, Frames.EXIT, b, 0, 4);
    }

    /** Command output as frames of one type. */
    private static final class FrameOutput extends OutputStream {
        private final DataOutputStream out;
        private final byte type;

        FrameOutput(DataOutputStream out, byte type) {
            this.out = out;
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) {
                Frames.write(out, type, b, off, len);
            }
        }
    }

    /** The command's stdin: asks the client for it on first read, then pumps its frames. */
    private static final class StdinPump extends InputStream {
        private final DataInputStream in;
        private final DataOutputStream out;
        private PipedInputStream pipe;

        StdinPump(DataInputStream in, DataOutputStream out) {
            this.in = in;
            this.out = out;
        }

        private synchronized InputStream pipe() throws IOException {
            if (pipe == null) {
                pipe = new PipedInputStream(1 << 20);
                PipedOutputStream sink = new PipedOutputStream(pipe);
                Frames.write(out, Frames.NEED_STDIN, new byte[0], 0, 0);
                Thread t = new Thread(() -> {
                    try (sink) {
                        while (true) {
                            Frames.Frame f = Frames.read(in);
                            if (f.type() == Frames.STDIN_EOF) {
                                return;
                            }
                            sink.write(f.data());
                        }
                    } catch (IOException ignored) {
                        // the client went away: the command sees end of input
                    }
                }, "splitpoint-control-stdin");
                t.setDaemon(true);
                t.start();
            }
            return pipe;
        }

        @Override
        public int read() throws IOException {
            return pipe().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return pipe().read(b, off, len);
        }
    }

    @Override
    public void close() throws IOException {
        closing = true;
        PoolFeed f = feed;
        if (f != null) {
            f.close(); // subscribers hear that the holder is going before the socket goes
        }
        try {
            socket.close(); // removes the socket file only if it is still the one we made
        } finally {
            if (pointer != null) {
                ControlSocketPlace.removePointer(pointer, socket.path());
            }
        }
    }
}
