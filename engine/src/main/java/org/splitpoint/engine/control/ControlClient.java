package org.splitpoint.engine.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Sends one command to the process holding a pool and relays its output; see {@link ControlServer}. */
public final class ControlClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ControlClient() {
    }

    /** Thrown when the holder's socket exists but refused us (permissions). */
    public static final class Refused extends IOException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * Connects to the control socket of {@code poolDir} (in the pool, or where its
     * {@code control.sock.path} says); null when there is none or nobody listens (a stale socket of
     * a process that died). A socket served by another user is refused: the command and its input
     * go only to a holder running as this user.
     */
    public static SocketChannel connect(Path poolDir) throws Refused {
        Path sock = ControlSocketPlace.forClient(poolDir);
        if (sock == null || !Files.exists(sock)) {
            return null;
        }
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(sock));
            String server = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
            String me = System.getProperty("user.name");
            if (!server.equals(me)) {
                ch.close();
                throw new Refused("the control socket of pool " + poolDir + " (" + sock + ") is served by user " + server
                        + ", not by you (" + me + "); the command was not sent");
            }
            return ch;
        } catch (Refused e) {
            throw e;
        } catch (java.net.SocketException e) {
            closeQuietly(ch);
            String m = String.valueOf(e.getMessage());
            if (m.contains("ermission denied")) {
                throw new Refused("pool " + poolDir + " is held by another process and its control socket refused you"
                        + " (permission denied: only the user holding the pool may send it commands)");
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            closeQuietly(ch);
            return null;
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was sent on it
            }
        }
    }

    /**
     * Runs {@code args} in the holder; returns the exit code. A holder gone before the exit frame is an
     * IOException that says so in words the CLI shows after "stopped answering: ".
     */
    public static int run(SocketChannel ch, List<String> args, Path cwd, boolean terminal, InputStream stdin,
                          OutputStream stdout, OutputStream stderr) throws IOException {
        try (ch) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(ChannelStreams.in(ch)));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ChannelStreams.out(ch)));
            ObjectNode cmd = JSON.createObjectNode();
            cmd.putPOJO("args", args);
            cmd.put("cwd", cwd.toAbsolutePath().toString());
            cmd.put("terminal", terminal);
            cmd.put("pid", ProcessHandle.current().pid());
            byte[] c = JSON.writeValueAsBytes(cmd);
            Frames.write(out, Frames.COMMAND, c, 0, c.length);
            while (true) {
                Frames.Frame f;
                try {
                    f = Frames.read(in);
                } catch (java.io.EOFException e) {
                    // the holder went away mid-command (stopped, or killed): what it did is only in the pool now
                    throw new IOException("it closed the connection before the command ended (was it stopped or killed?);"
                            + " what the command did, if anything, 'splitpoint pool status' shows", e);
                }
                switch (f.type()) {
                    case Frames.STDOUT -> {
                        stdout.write(f.data());
                        stdout.flush();
                    }
                    case Frames.STDERR -> {
                        stderr.write(f.data());
                        stderr.flush();
                    }
                    case Frames.NEED_STDIN -> pumpStdin(stdin, out);
                    case Frames.EXIT -> {
                        return java.nio.ByteBuffer.wrap(f.data()).getInt();
                    }
                    default -> throw new IOException("unexpected control frame " + (char) f.type());
                }
            }
        }
    }

    private static void pumpStdin(InputStream stdin, DataOutputStream out) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[1 << 20];
            try {
                int n;
                while ((n = stdin.read(buf)) > 0) {
                    Frames.write(out, Frames.STDIN, buf, 0, n);
                }
                Frames.write(out, Frames.STDIN_EOF, buf, 0, 0);
            } catch (IOException ignored) {
                // the command ended first
            }
        }, "splitpoint-stdin");
        t.setDaemon(true);
        t.start();
    }
}
