package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The file a channel was opened on, opened again later (a second descriptor for O_DIRECT writes or
 * reads without read-ahead; the channel itself after an interrupt closed it) only if it is still
 * that file. Images are renamed while open (a
 * {@code .img.blank} becomes the drive's {@code .img} once filled), so the path a file was opened
 * by may name nothing, or another file, by the time a second descriptor is wanted: opened by that
 * path, it would fail, or read and write another drive's bytes.
 *
 * <p>Design. The file's identity (device and inode, {@link BasicFileAttributes#fileKey()}) is taken
 * right after the first open. A later open by path is kept only when the path names that file
 * before and after the open; else, where the first channel's descriptor can be read ({@link
 * ReadAdvice}), the file is opened through {@code /proc/self/fd/N}, which names the open file
 * itself wherever it was renamed, checked the same way. Otherwise there is no second descriptor
 * and the caller does without (buffered writes, reads with read-ahead).
 *
 * <p>A rename made through {@link RealStorage#rename} moves the path of every open file it renamed
 * ({@link #renamed}): after an interrupt closed the only descriptor, {@code /proc/self/fd/N} is
 * gone, and a FAILED volume's blank images, renamed to their drives' names once on record, could
 * not be opened again: a write of theirs then failed the drive.
 */
final class SameFile {

    /** The open files by the path that names them now (absolute), each list weakly held. */
    private static final java.util.Map<Path, java.util.List<java.lang.ref.WeakReference<SameFile>>> BY_PATH =
            new java.util.HashMap<>();

    private volatile Path path;
    private final Object key;

    /** Takes the identity of the file {@code path} names now (just opened by it). */
    SameFile(Path path) {
        this.path = path.toAbsolutePath();
        this.key = keyOf(path);
        if (key != null) {
            synchronized (BY_PATH) {
                java.util.List<java.lang.ref.WeakReference<SameFile>> here =
                        BY_PATH.computeIfAbsent(this.path, p -> new java.util.ArrayList<>());
                here.removeIf(r -> r.get() == null);
                here.add(new java.lang.ref.WeakReference<>(this));
            }
        }
    }

    /** The file is closed: no rename need follow it any more. */
    void forget() {
        synchronized (BY_PATH) {
            java.util.List<java.lang.ref.WeakReference<SameFile>> here = BY_PATH.get(path);
            if (here != null) {
                here.removeIf(r -> r.get() == null || r.get() == this);
                if (here.isEmpty()) {
                    BY_PATH.remove(path);
                }
            }
        }
    }

    /**
     * {@code from} was renamed to {@code to}: the open files {@code from} named, and {@code to}
     * names now, are found there from now on. One {@code to} named before is named no more (its
     * path is kept; its identity check refuses whatever stands there).
     */
    static void renamed(Path from, Path to) {
        Path a = from.toAbsolutePath();
        Path b = to.toAbsolutePath();
        Object now = keyOf(b);
        synchronized (BY_PATH) {
            java.util.List<java.lang.ref.WeakReference<SameFile>> moved = BY_PATH.remove(a);
            if (moved == null || now == null) {
                return;
            }
            java.util.List<java.lang.ref.WeakReference<SameFile>> there =
                    BY_PATH.computeIfAbsent(b, p -> new java.util.ArrayList<>());
            there.removeIf(r -> r.get() == null);
            for (java.lang.ref.WeakReference<SameFile> r : moved) {
                SameFile f = r.get();
                if (f != null && f.key.equals(now)) {
                    f.path = b;
                    there.add(r);
                }
            }
            if (there.isEmpty()) {
                BY_PATH.remove(b);
            }
        }
    }

    /** A new channel on the same file, or null when it cannot be reached any more; {@code first} may be null. */
    FileChannel open(FileChannel first, OpenOption... options) throws IOException {
        if (key == null) {
            return null;
        }
        FileChannel ch = openIfSame(path, options);
        if (ch != null) {
            return ch;
        }
        ReadAdvice advice = ReadAdvice.get();
        int fd = advice == null || first == null ? -1 : advice.descriptor(first);
        if (fd < 0 || !first.isOpen()) {
            return null;
        }
        ch = openIfSame(Path.of("/proc/self/fd/" + fd), options);
        if (ch != null && !first.isOpen()) { // the descriptor may have been closed and reused meanwhile
            ch.close();
            return null;
        }
        return ch;
    }

    /**
     * Extends the file to {@code length} bytes without allocating a block (ftruncate(2), through
     * {@link java.io.RandomAccessFile#setLength}: a {@link FileChannel} can only shrink a file), by
     * its path while that names it, else through {@code /proc/self/fd/N} of {@code first}. False
     * when the file cannot be reached as itself: the caller extends it its own way.
     */
    boolean extend(FileChannel first, long length) throws IOException {
        if (key == null) {
            return false;
        }
        if (extendIfSame(path, length)) {
            return true;
        }
        ReadAdvice advice = ReadAdvice.get();
        int fd = advice == null || first == null ? -1 : advice.descriptor(first);
        return fd >= 0 && first.isOpen() && extendIfSame(Path.of("/proc/self/fd/" + fd), length) && first.isOpen();
    }

    private boolean extendIfSame(Path p, long length) throws IOException {
        if (!key.equals(keyOf(p))) {
            return false;
        }
        java.io.RandomAccessFile f;
        try {
            f = new java.io.RandomAccessFile(p.toFile(), "rw");
        } catch (java.io.FileNotFoundException e) {
            return false; // renamed between the look and the open
        }
        try (f) {
            if (!key.equals(keyOf(p))) {
                return false;
            }
            if (f.length() < length) {
                f.setLength(length);
            }
            return true;
        }
    }

    private FileChannel openIfSame(Path p, OpenOption... options) throws IOException {
        if (!key.equals(keyOf(p))) {
            return null;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(p, options);
        } catch (java.nio.file.NoSuchFileException e) {
            return null; // renamed between the look and the open
        }
        if (!key.equals(keyOf(p))) {
            ch.close();
            return null;
        }
        return Uninterruptible.apply(ch); // the second descriptors too: an interrupt closes none of them
    }

    private static Object keyOf(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
