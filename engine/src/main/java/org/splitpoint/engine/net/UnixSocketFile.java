package org.splitpoint.engine.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A listening Unix domain socket and the file it makes, handled so that a path someone typed
 * never costs them a file.
 *
 * <p>Design. bind(2) needs a free path, so a server must sometimes remove what is there. The rule:
 * a path that exists and is not a socket (a file, a directory, a symbolic link) is refused and
 * left as it is; a socket that answers a connect belongs to a live server and is refused ("in use
 * by another process"); only a socket nobody listens on (left by a process that died) is replaced.
 * At close the file is removed only if it is still the one this server made (the same file key,
 * that is device and inode), so whatever was put there since is left alone.
 */
public final class UnixSocketFile implements AutoCloseable {

    /** The longest socket path the kernel takes: sun_path is 108 bytes with its terminating NUL. */
    public static final int MAX_PATH_BYTES = 107;

    /** A socket path refused by the rule above; the message is one sentence for a person. */
    public static final class Refused extends IOException {
        public Refused(String message) {
            super(message);
        }
    }

    private final Path path;
    private final ServerSocketChannel channel;
    private final Object fileKey;

    private UnixSocketFile(Path path, ServerSocketChannel channel, Object fileKey) {
        this.path = path;
        this.channel = channel;
        this.fileKey = fileKey;
    }

    /**
     * Clients that may wait to be accepted (the kernel caps it at net.core.somaxconn), as TCP's in
     * NbdServer. Local clients connect without blocking (libnbd does), and a Unix listener whose
     * backlog is full refuses them at once (EAGAIN): with the JDK's default of 50, 150 nbdinfo
     * started together against 'serve --socket' failed 94 times ("server backlog overflowed").
     */
    public static final int BACKLOG = 4096;

    /**
     * Listens at {@code path} by the rule above. {@code hint} ends a refusal with what to do
     * (e.g. "choose another --socket path").
     */
    public static UnixSocketFile bind(Path path, String hint) throws IOException {
        Path p = path.toAbsolutePath();
        if (!fits(p)) {
            throw new Refused("the socket path " + p + " is longer than the " + MAX_PATH_BYTES
                    + " bytes a Unix socket path may have; " + hint);
        }
        switch (probe(p)) {
            case ABSENT -> { }
            case STALE -> Files.deleteIfExists(p); // a socket nobody listens on: its server died
            case LIVE -> throw inUse(p, hint);
            case NOT_SOCKET -> throw new Refused(p + " exists and is not a socket (it is " + kind(p)
                    + "); it was left as it is: " + hint);
            case UNREACHABLE -> throw new Refused(p + " is a socket this process may not connect to, so it may"
                    + " belong to another user's server; it was left as it is: " + hint);
            default -> throw new IllegalStateException();
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(p), BACKLOG);
            Object key = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new UnixSocketFile(p, ch, key);
        } catch (IOException e) {
            ch.close();
            if (String.valueOf(e.getMessage()).contains("in use")) {
                throw inUse(p, hint); // another server bound it between our look and our bind
            }
            // the JDK's message is the bare cause ("No such file or directory"): name the path
            Path parent = p.getParent();
            IOException named = new IOException("cannot listen on " + p + ": "
                    + (parent != null && !Files.isDirectory(parent) ? "directory " + parent + " does not exist"
                    : e.getMessage()) + "; " + hint);
            named.initCause(e);
            throw named;
        }
    }

    private static Refused inUse(Path p, String hint) {
        return new Refused(p + " is in use by another process (a server answers on it); it was left as it is: " + hint);
    }

    /** True when {@code path} (made absolute) is short enough to bind. */
    public static boolean fits(Path path) {
        return path.toAbsolutePath().toString().getBytes(Charset.defaultCharset()).length <= MAX_PATH_BYTES;
    }

    /** What is at a socket path now. */
    public enum Found { ABSENT, NOT_SOCKET, LIVE, STALE, UNREACHABLE }

    /** Looks at {@code path}: nothing, something that is not a socket, or a socket live, stale or not ours to try. */
    public static Found probe(Path path) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Found.ABSENT;
        }
        if (!isSocket(path, a)) {
            return Found.NOT_SOCKET;
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            return Found.LIVE;
        } catch (ConnectException e) {
            return Found.STALE; // ECONNREFUSED: a socket file with no listener
        } catch (SocketException e) {
            return Found.UNREACHABLE; // e.g. EACCES: another user's socket
        }
    }

    private static boolean isSocket(Path path, BasicFileAttributes a) throws IOException {
        if (!a.isOther()) {
            return false; // a regular file, a directory or a symbolic link
        }
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000; // S_IFSOCK
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return true; // no unix view: "other" is the best we can tell
        }
    }

    private static String kind(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (a.isDirectory()) {
            return "a directory";
        }
        return a.isRegularFile() ? "a regular file" : "a special file";
    }

    public Path path() {
        return path;
    }

    public ServerSocketChannel channel() {
        return channel;
    }

    /** True while the file at our path is still the socket this server made. */
    public boolean isStillOurs() {
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return fileKey != null && Objects.equals(fileKey, now);
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops listening and removes the socket file if it is still ours. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            if (isStillOurs()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
