package org.splitpoint.engine.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.splitpoint.engine.net.UnixSocketFile;

/**
 * Where the control socket of a pool lives, for any pool path.
 *
 * <p>Design. A Unix socket path holds at most 107 bytes, so {@code POOL/control.sock} is used
 * only when it fits. A deeper pool gets its socket in a private runtime directory —
 * {@code $XDG_RUNTIME_DIR/splitpoint} when that is set and usable, else
 * {@code /tmp/splitpoint-<uid>} — created 0700 and refused unless it is a real directory (not a
 * symbolic link) owned by this user, since a directory in /tmp could have been made by someone
 * else first. The socket is named after a hash of the pool's real path (short, one per pool, so a
 * stale one is found and replaced by the next holder). Clients find it through
 * {@code POOL/control.sock.path}, which holds the socket's absolute path; the holder writes it
 * and removes it at close. The owner-only mode of the socket and the peer-credential checks of
 * {@link ControlServer} and {@link ControlClient} apply wherever the socket is.
 */
final class ControlSocketPlace {

    static final String SOCKET = "control.sock";
    static final String POINTER = "control.sock.path";
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private ControlSocketPlace() {
    }

    /** The socket a holder of {@code poolDir} listens on: in the pool when the path fits, else in the runtime directory. */
    static Path forHolder(Path poolDir) throws IOException {
        Path dir = poolDir.toAbsolutePath().normalize();
        Path inPool = dir.resolve(SOCKET);
        if (UnixSocketFile.fits(inPool)) {
            return inPool;
        }
        String name = hash(dir.toRealPath().toString()) + ".sock";
        IOException refused = null;
        for (Path runtime : runtimeDirs()) {
            try {
                ensurePrivate(runtime);
            } catch (IOException e) {
                refused = refused == null ? e : refused;
                continue;
            }
            if (UnixSocketFile.fits(runtime.resolve(name))) {
                return runtime.resolve(name);
            }
        }
        throw refused != null ? refused : new IOException("found no directory for the control socket of pool " + dir
                + " whose path is short enough for a Unix socket; set XDG_RUNTIME_DIR to a short private directory");
    }

    /** The socket a client should connect to for {@code poolDir}, or null when no holder announced one. */
    static Path forClient(Path poolDir) {
        Path dir = poolDir.toAbsolutePath().normalize();
        Path inPool = dir.resolve(SOCKET);
        if (Files.exists(inPool, LinkOption.NOFOLLOW_LINKS)) {
            return inPool;
        }
        Path pointer = dir.resolve(POINTER);
        try {
            if (!Files.isRegularFile(pointer) || Files.size(pointer) > 4096) {
                return null;
            }
            Path sock = Path.of(Files.readString(pointer, StandardCharsets.UTF_8).trim());
            return sock.isAbsolute() ? sock : null;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable or not a path: as if no holder announced a socket
        }
    }

    /** Writes {@code POOL/control.sock.path} naming {@code socket} (atomically). */
    static Path writePointer(Path poolDir, Path socket) throws IOException {
        Path pointer = poolDir.resolve(POINTER);
        Path tmp = poolDir.resolve(POINTER + ".tmp");
        Files.writeString(tmp, socket + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return pointer;
    }

    /** Removes {@code pointer} if it still names {@code socket} (a later holder may have replaced it). */
    static void removePointer(Path pointer, Path socket) throws IOException {
        try {
            if (Files.readString(pointer, StandardCharsets.UTF_8).trim().equals(socket.toString())) {
                Files.deleteIfExists(pointer);
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // already removed
        }
    }

    /**
     * Removes a pointer left by an earlier holder that died, once this holder's socket is in the
     * pool (the pool's lock makes this process its only holder, so any pointer is stale).
     */
    static void removeStalePointer(Path poolDir) throws IOException {
        Files.deleteIfExists(poolDir.resolve(POINTER));
    }

    private static List<Path> runtimeDirs() throws IOException {
        List<Path> out = new ArrayList<>();
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            Path base = Path.of(xdg);
            if (base.isAbsolute() && Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS) && ownedByMe(base)) {
                out.add(base.resolve("splitpoint"));
            }
        }
        out.add(Path.of("/tmp", "splitpoint-" + myUid()));
        return out;
    }

    /** Makes {@code dir} a directory only this user can enter, or says why it cannot be used. */
    static void ensurePrivate(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } catch (FileAlreadyExistsException exists) {
            // checked below
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink() || !a.isDirectory()) {
            throw new UnixSocketFile.Refused(dir + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a directory")
                    + ", not the private directory the control socket needs; remove it (someone may have put it there)");
        }
        if (!ownedByMe(dir)) {
            throw new UnixSocketFile.Refused(dir + " belongs to another user, so it cannot hold this user's control"
                    + " socket; remove it, or set XDG_RUNTIME_DIR to a private directory");
        }
        if (!a.permissions().equals(OWNER_ONLY_DIR)) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR); // ours: make it private again
        }
    }

    private static boolean ownedByMe(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == myUid();
    }

    /** This process's user id. */
    static int myUid() throws IOException {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException noProc) {
            Path probe = Files.createTempFile("splitpoint-uid", null);
            try {
                return (Integer) Files.getAttribute(probe, "unix:uid");
            } finally {
                Files.deleteIfExists(probe);
            }
        }
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
