package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files on the local file system through {@link FileChannel}: positional I/O, fdatasync.
 *
 * <p>Design. Two kernel behaviours are made explicit here. A full file system (ENOSPC, EDQUOT), or
 * a file that may not grow further (EFBIG: a file-size limit), becomes a {@link NoSpaceException},
 * so no layer above mistakes it for a failing drive. And an
 * interrupted thread cannot cut an operation in half: the JDK closes a channel when a thread
 * blocked in it is interrupted, which would leave, say, one mirror leg written and the other not;
 * a disk completes a write it has started, so this class reopens the channel, redoes the
 * (positional, hence idempotent) operation with the interrupt put aside, and restores the
 * thread's interrupt status afterwards for the caller to see. A force is the exception: one cut
 * off is not redone but fails as {@link SyncCutOffException}, since the fsync it cut may have
 * taken the kernel's only report of a failed write-back (an interrupt pending before a force is put
 * aside before it: only one that comes during the fsync, or another thread's, cuts it off). Where
 * the JVM lets us, the channels are made deaf to interrupts ({@link Uninterruptible}), and none of
 * this happens: an interrupt only sets the thread's flag.
 */
final class RealStorage implements StorageFactory {

    static final RealStorage INSTANCE = new RealStorage();

    static {
        Fallocate.prepareInBackground(); // the downcalls' glue, built before the first zeroing or read needs it
    }

    private static final OpenOption[] READ_WRITE = {StandardOpenOption.READ, StandardOpenOption.WRITE};
    private static final OpenOption[] READ_ONLY = {StandardOpenOption.READ};

    @Override
    public StorageFile open(Path path) throws IOException {
        refuseSpecial(path);
        return new ChannelFile(path, FileChannel.open(path, READ_WRITE), READ_WRITE);
    }

    @Override
    public StorageFile openRead(Path path) throws IOException {
        refuseSpecial(path);
        return new ChannelFile(path, FileChannel.open(path, READ_ONLY), READ_ONLY);
    }

    /**
     * A pipe, a socket or a device where a file of ours belongs is refused before it is opened: a FIFO
     * opened to read waits for a writer, and one opened to read and write waits at its first read, so
     * a look at a pool whose meta/v1.wib was a FIFO hung for good, as did every writable open. (A
     * directory is left to the open, which says "Is a directory"; a missing file to its own sentence.)
     */
    private static void refuseSpecial(Path path) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (java.nio.file.NoSuchFileException absent) {
            return;
        }
        if (a.isOther()) {
            throw new java.nio.file.FileSystemException(path.toString(), null,
                    "not a regular file (a pipe, a socket or a device)");
        }
    }

    @Override
    public StorageFile create(Path path) throws IOException {
        try {
            return new ChannelFile(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE_NEW), READ_WRITE);
        } catch (IOException e) {
            throw noSpace(e, path);
        }
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SameFile.renamed(from, to); // an open file reopened after an interrupt is found by its new name
    }

    /**
     * Opening a directory for reading and forcing it is how the JDK exposes fsync(dirfd) on Linux.
     * A refusal is an error: a rename or create that cannot be made durable is not done. An interrupt
     * is no refusal (see the class note): the JDK closed the channel because the thread was
     * interrupted, not because the sync failed, so it is done again on a new descriptor with the
     * interrupt put aside, and given back afterwards. Before, a pool.json write by a thread that
     * was being stopped (an instant restore's write-behind at the restore's close) threw
     * ClosedByInterruptException from here, which said pool.json's rename might not be durable,
     * and the pool halted as after a failed sync (UnrecordedRestoreTest, 1 run in 4 in CI).
     */
    @Override
    public void syncDirectory(Path dir) throws IOException {
        boolean interrupted = Thread.interrupted(); // put aside before the sync, not only once it cut one off
        try {
            for (int attempt = 0; ; attempt++) {
                try (FileChannel ch = Uninterruptible.apply(FileChannel.open(dir, StandardOpenOption.READ))) {
                    ch.force(true);
                    return;
                } catch (ClosedByInterruptException e) {
                    interrupted = true;
                    Thread.interrupted();
                    if (attempt >= 1000) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    /**
     * The lock files this process holds or is taking, by file (device and inode), with the text each
     * holder recorded. Why: the kernel's record locks belong to the process, and closing any
     * descriptor of a file drops every lock the process holds on it. A second open of a held lock
     * file in this process (a pool opened twice, a "who holds it" probe, a clean-up asking whether an
     * image is being written) followed by its close silently gave the lock up: another process could
     * then open the same pool and write it beside this one.
     *
     * <p>The rules: a file is reserved here before this process opens it to lock it, and stays so
     * until every descriptor of that attempt is closed; a descriptor opened for any other reason is
     * closed only under this monitor and only while nobody here reserves its file (else it is kept
     * open for good, {@link #KEPT}). The monitor is held for those decisions only: no open, stat,
     * read or write happens under it, so a store on a hung file system stalls the callers looking at
     * it and not every pool's open and close in the process. A close does, when it decides: a
     * reserved descriptor is closed and its file unreserved in one step ({@link #closeAndUnreserve}).
     */
    private static final java.util.Map<Object, Held> HELD = new java.util.HashMap<>();
    /** Descriptors that could not be closed without dropping a lock of this process (races only). */
    private static final java.util.List<FileChannel> KEPT = new java.util.ArrayList<>();

    private static final class Held {
        final String holder;
        /**
         * The locked descriptor, reachable from the process-wide map while reserved: reachable from
         * its handle only, the JDK's cleaner closed it once a pool was dropped without a close, and
         * the kernel dropped the lock while the map still counted the file as ours; a new lock file
         * given the deleted one's inode number then read as held (LockNotCollectedTest).
         */
        volatile FileChannel channel;

        Held(String holder) {
            this.holder = holder;
        }
    }

    /** The file's identity (device and inode), or null when it does not exist. */
    private static Object fileKey(Path p) throws IOException {
        try {
            return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** Reserves {@code key} for {@code h}; false when this process holds or is taking it already. */
    private static boolean reserve(Object key, Held h) {
        synchronized (HELD) {
            return HELD.putIfAbsent(key, h) == null;
        }
    }

    private static void unreserve(Object key, Held h) {
        synchronized (HELD) {
            HELD.remove(key, h);
        }
    }

    /**
     * Closes {@code ch}, the reserved descriptor of {@code h}, and drops the reservation, under the monitor.
     * Why together: when the lock file was deleted while held (a store's store.lock once its store.json
     * is durable, an image's writer.lock at its seal or removal), the close frees its inode, and ext4
     * hands that number to the next file made at once. Dropped after the close, the reservation stood
     * a moment for a file this process no longer had: another thread's new lock file given that inode
     * was refused as held by this process ("the backup store ... is being made by another pool (pid
     * <this process>)", JournalVerbsPowerCutTest once; ReusedInodeLockTest). Under the monitor, the new
     * file's reservation, or a look at its holder, comes after both.
     */
    private static void closeAndUnreserve(Object key, Held h, FileChannel ch) throws IOException {
        synchronized (HELD) {
            try {
                ch.close();
            } finally {
                HELD.remove(key, h);
            }
        }
    }

    /**
     * Closes {@code ch} (a file not reserved by {@code mine}) unless someone here reserves its file now.
     * {@code key} is the file {@code ch} was opened on, or null when that cannot be told (the name
     * came to mean another file, or none, between the looks before and after the open): then {@code ch}
     * may be a file another thread here has locked and deleted meanwhile, and it is kept too.
     */
    private static void closeUnlessReserved(Object key, FileChannel ch) throws IOException {
        synchronized (HELD) {
            if (key == null || HELD.containsKey(key)) {
                KEPT.add(ch); // closing it would, or could, drop that holder's lock
                return;
            }
            ch.close();
        }
    }

    @Override
    public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
        Held mine = new Held(holder);
        Object key = fileKey(lockFile);
        if (key != null && !reserve(key, mine)) {
            return null; // held (or being taken) by another object of this process: not a descriptor more
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        } catch (IOException | RuntimeException e) {
            if (key != null) {
                unreserve(key, mine);
            }
            throw e;
        }
        Object opened;
        try {
            opened = fileKey(lockFile);
        } catch (IOException e) {
            opened = null;
        }
        if (opened == null || !opened.equals(key)) { // created now, or the name came to mean another file
            if (key != null) {
                unreserve(key, mine);
            }
            if (opened == null || !reserve(opened, mine)) {
                closeUnlessReserved(opened, ch);
                return null;
            }
            key = opened;
        }
        // reserved: no other descriptor of this process locks the file, so closing ours drops no one's lock
        mine.channel = ch;
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // cannot happen while reserved; answered as "held" to be safe
        } catch (IOException | RuntimeException e) {
            closeAndUnreserve(key, mine, ch);
            throw e;
        }
        if (lock == null) {
            closeAndUnreserve(key, mine, ch); // another process holds it: closing our descriptor takes nothing from it
            return null;
        }
        // Only the holder rewrites the file, so a refused opener changes nothing in the pool.
        byte[] text = holder.getBytes(StandardCharsets.UTF_8);
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text), 0);
        } catch (IOException | RuntimeException e) {
            closeAndUnreserve(key, mine, ch); // a lock whose holder cannot be recorded (a full file system) is not kept
            if (e instanceof IOException io) {
                throw noSpace(io, lockFile);
            }
            throw (RuntimeException) e;
        }
        Object heldKey = key;
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) {
                return; // released already (a power cut in tests closes every lock, its owner may too)
            }
            try {
                ch.truncate(0); // a closed pool leaves the lock file as it found it: empty
            } finally {
                closeAndUnreserve(heldKey, mine, ch); // drops the lock; the file stays reserved until then
            }
        };
    }

    @Override
    public String lockHolder(Path lockFile) throws IOException {
        Object key = fileKey(lockFile);
        if (key == null) {
            return null;
        }
        synchronized (HELD) {
            Held h = HELD.get(key);
            if (h != null) {
                return h.holder; // this process: opening and closing the file could drop the lock
            }
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
        // The file opened is the one looked at only if the name still means it after the open. Closed as
        // the one looked at, a lock file made, locked and deleted by another thread here meanwhile lost its
        // lock: the kernel drops a process's locks on a file at any close of it (HolderLookKeepsLockTest).
        Object opened;
        try {
            opened = fileKey(lockFile);
        } catch (IOException e) {
            opened = null;
        }
        Object same = key.equals(opened) ? key : null;
        try {
            FileLock probe;
            try {
                probe = ch.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                probe = null; // taken by this process meanwhile: read its text
            }
            if (probe != null) {
                probe.release();
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(4096, ch.size()));
            ch.read(b, 0);
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
        } finally {
            closeUnlessReserved(same, ch);
        }
    }

    /**
     * {@code e} as a {@link NoSpaceException} naming the file when it is ENOSPC/EDQUOT, or EFBIG (a
     * {@link FileTooLargeException}: before, a drive image that reached the process's file-size
     * limit was failed as a broken drive), else {@code e}.
     */
    static IOException noSpace(IOException e, Path path) {
        if (FileTooLargeException.isFileTooLarge(e) && !(e instanceof NoSpaceException)) {
            FileTooLargeException n = new FileTooLargeException("the file-size limit of this process or the largest"
                    + " file its file system holds stops " + path + " from growing (" + e.getMessage() + ")");
            n.initCause(e);
            return n;
        }
        if (NoSpaceException.isNoSpace(e) && !(e instanceof NoSpaceException)) {
            NoSpaceException n = new NoSpaceException("no space left on the file system holding " + path
                    + " (" + e.getMessage() + ")");
            n.initCause(e);
            return n;
        }
        return e;
    }

    /**
     * A channel that is reopened when an interrupt closed it (see the class note), with what it
     * was told at open told again: the kernel's read-ahead turned off ({@code noReadAhead}).
     */
    private static final class Reopening {
        private static final int MAX_REOPENS = 1000;
        private final Path path;
        private final Opener opener;
        private final boolean noReadAhead;
        private volatile FileChannel channel;
        /** The descriptor of {@link #channel} for {@link ReadAdvice}; -1 when none is given. */
        private volatile int fd = -1;
        private volatile boolean closed;

        /** Opens the file again; null when it cannot be reached any more. */
        interface Opener {
            FileChannel open() throws IOException;
        }

        Reopening(Path path, FileChannel channel, Opener opener, boolean noReadAhead) {
            this.path = path;
            this.opener = opener;
            this.noReadAhead = noReadAhead;
            adopt(channel);
        }

        private void adopt(FileChannel ch) {
            Uninterruptible.apply(ch); // an interrupt then closes nothing: see the class note
            ReadAdvice advice = noReadAhead ? ReadAdvice.get() : null;
            int d = advice == null ? -1 : advice.descriptor(ch);
            fd = d >= 0 && advice.random(d) ? d : -1;
            channel = ch;
        }

        interface Op<T> {
            T run(FileChannel ch) throws IOException;
        }

        <T> T io(Op<T> op) throws IOException {
            return run(op, true);
        }

        /**
         * A force of the file, as {@link #io}, except that one cut off by an interrupt is not done
         * again: it throws {@link SyncCutOffException} (the channel is reopened for what comes next).
         * The fsync it cut may have taken the kernel's one report of a failed write-back, and the
         * same fsync on a new descriptor then answers success over writes that are not on disk.
         */
        <T> T sync(Op<T> op) throws IOException {
            return run(op, false);
        }

        private <T> T run(Op<T> op, boolean redoable) throws IOException {
            // a force's caller with an interrupt already pending would have the JDK close the channel
            // before the fsync even began, and the force fail for nothing: it is put aside for the
            // call, and given back after it (other operations are redone whole after the close)
            boolean interrupted = !redoable && Thread.interrupted();
            try {
                for (int attempt = 0; ; attempt++) {
                    FileChannel ch = channel;
                    try {
                        return op.run(ch);
                    } catch (ClosedByInterruptException e) {
                        // our own interrupt closed the channel mid-operation: redo it whole
                        interrupted = true;
                        Thread.interrupted();
                        reopenOrThrow(ch, e, attempt);
                        cutOffUnlessRedoable(redoable, e);
                    } catch (AsynchronousCloseException e) {
                        // another thread's interrupt closed the channel under us
                        reopenOrThrow(ch, e, attempt);
                        cutOffUnlessRedoable(redoable, e);
                    } catch (ClosedChannelException e) {
                        // closed before the call (another thread's interrupt): nothing ran on it
                        reopenOrThrow(ch, e, attempt);
                    } catch (IOException e) {
                        throw noSpace(e, path);
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void cutOffUnlessRedoable(boolean redoable, ClosedChannelException e) throws SyncCutOffException {
            if (!redoable) {
                throw new SyncCutOffException(path, e);
            }
        }

        private void reopenOrThrow(FileChannel broken, ClosedChannelException e, int attempt) throws IOException {
            if (closed || attempt >= MAX_REOPENS) {
                throw e;
            }
            if (!reopen(broken)) {
                throw e;
            }
        }

        private synchronized boolean reopen(FileChannel broken) throws IOException {
            if (!closed && channel == broken) {
                FileChannel ch = opener.open();
                if (ch == null) {
                    return false;
                }
                adopt(ch);
            }
            return true;
        }

        /**
         * Starts fetching a range into the page cache. The descriptor may have been closed by an
         * interrupt since it was read (even reused by another open): the hint is then wasted or
         * prefetches another file's pages, which costs time, never bytes.
         */
        void willNeed(long position, long length) {
            int d = liveFd();
            if (d >= 0) {
                ReadAdvice.get().willNeed(d, position, length);
            }
        }

        /** True when the byte at {@code position} is in the page cache (see {@link ReadAdvice#cached}). */
        boolean cached(long position) {
            int d = liveFd();
            return d >= 0 && ReadAdvice.get().cached(d, position);
        }

        /** True when the byte at {@code position} is known not to be in the page cache (see {@link ReadAdvice#uncached}). */
        boolean uncached(long position) {
            int d = liveFd();
            return d >= 0 && ReadAdvice.get().uncached(d, position);
        }

        /**
         * True when [position, position+length) is a hole ({@link ReadAdvice#hole}). Unlike a hint,
         * a wrong answer here would read zeros in place of data, so the descriptor must name this
         * file during the whole call: its channel is open after the call, and a channel's closing
         * marks it closed before its descriptor is released, hence before the number can be reused.
         */
        boolean hole(long position, long length) {
            FileChannel ch = channel;
            int d = fd;
            if (d < 0 || closed || !ch.isOpen()) {
                return false;
            }
            boolean hole = ReadAdvice.get().hole(d, position, length);
            return hole && ch.isOpen() && channel == ch && fd == d;
        }

        /**
         * One preadv(2) of [position, ...) into the remaining bytes of {@code dsts}, through the
         * advised descriptor; moves their positions past what it read and returns that count: 0
         * when nothing was read or nothing can be trusted. As for {@link #hole}, a descriptor
         * closed and reused under the call would have read another file's bytes: they are kept
         * only when the channel is still open after the call, which proves the number named this
         * file throughout.
         */
        long readScattered(long position, ByteBuffer[] dsts) {
            FileChannel ch = channel;
            int d = fd;
            if (d < 0 || closed || !ch.isOpen()) {
                return 0;
            }
            long n = ReadAdvice.get().readv(d, position, dsts);
            if (n <= 0 || !ch.isOpen() || channel != ch || fd != d) {
                return 0;
            }
            long left = n;
            for (ByteBuffer b : dsts) {
                int step = (int) Math.min(left, b.remaining());
                b.position(b.position() + step);
                left -= step;
            }
            return n;
        }

        /** The advised descriptor while its channel is open; -1 otherwise (see {@link #willNeed} for the race left). */
        private int liveFd() {
            int d = fd;
            return d >= 0 && !closed && channel.isOpen() ? d : -1;
        }

        void close() throws IOException {
            closed = true;
            channel.close();
        }
    }

    /** A file through a {@link FileChannel}, reopened when an interrupt closed it (see the class note). */
    private static final class ChannelFile implements StorageFile {
        private final Path path;
        private final Reopening main;
        /**
         * A second channel, read-only and without the kernel's read-ahead, for {@link
         * #readWithoutReadAhead}; opened at its first use, and only where {@link ReadAdvice} works.
         */
        private volatile Reopening unreadAhead;
        private volatile boolean cannotReadWithoutReadAhead;
        /** The file as first opened, for the second descriptors (see {@link SameFile}). */
        private final SameFile same;
        /** Large aligned writes from page-aligned buffers, around the page cache; null for a read-only open. */
        private final DirectWrites direct;
        /** Background forces of the buffered writes; null for a read-only open. */
        private final EarlyWriteBack behind;
        private volatile boolean closed;
        /** A range was zeroed by fallocate since the last force: the next one syncs metadata too. */
        private volatile boolean extentsChanged;
        /** fallocate failed here once for punching / zeroing in place: zeros are written from then on. */
        private volatile boolean cannotPunch;
        private volatile boolean cannotZeroInPlace;
        /** Whether the file system zeroes in place (FALLOC_FL_ZERO_RANGE), once asked; null before. */
        private volatile Boolean zeroesInPlace;

        ChannelFile(Path path, FileChannel channel, OpenOption[] mode) {
            this.path = path;
            this.same = new SameFile(path);
            // reopened after an interrupt only while the path still names this file: another image may
            // stand there by then (images are renamed while open), and its bytes are not this drive's
            this.main = new Reopening(path, channel, () -> same.open(null, mode), false);
            this.direct = mode == READ_WRITE ? new DirectWrites(path, same, () -> main.channel) : null;
            this.behind = mode == READ_WRITE ? new EarlyWriteBack(() -> main.sync(ch -> {
                ch.force(false);
                return null;
            }), this::dropClean) : null;
        }

        private <T> T io(Reopening.Op<T> op) throws IOException {
            return main.io(op);
        }

        /** Drops the clean pages of a range from the page cache, where this JVM can advise the kernel. */
        private void dropClean(long position, long length) {
            ReadAdvice a = ReadAdvice.get();
            if (a != null && !closed) {
                a.dontNeed(a.descriptor(main.channel), position, length);
            }
        }

        /** The channel without read-ahead, opened now if need be; null where the kernel cannot be told. */
        private Reopening unreadAhead() throws IOException {
            Reopening r = unreadAhead;
            if (r != null || cannotReadWithoutReadAhead || !ReadAdvice.available()) {
                return r;
            }
            synchronized (this) {
                if (unreadAhead == null && !closed && !cannotReadWithoutReadAhead) {
                    FileChannel ch = same.open(main.channel, READ_ONLY);
                    if (ch == null) {
                        cannotReadWithoutReadAhead = true; // renamed and out of reach: reads keep the kernel's read-ahead
                        return null;
                    }
                    Reopening opened = new Reopening(path, ch, () -> same.open(main.channel, READ_ONLY), true);
                    if (opened.fd < 0) {
                        // the advice was refused: a second channel would read as the first, and
                        // trying again would open and close a file on every read
                        cannotReadWithoutReadAhead = true;
                        opened.close();
                        return null;
                    }
                    unreadAhead = opened;
                }
                return unreadAhead;
            }
        }

        @Override
        public void readWithoutReadAhead(long position, ByteBuffer dst) throws IOException {
            Reopening r = closed ? null : unreadAhead();
            int start = dst.position();
            if (r != null) {
                try {
                    read(r, position, dst);
                    return;
                } catch (ClosedChannelException e) {
                    if (closed) {
                        throw e;
                    }
                    cannotReadWithoutReadAhead = true; // closed by an interrupt and out of reach since: the main channel reads
                    unreadAhead = null;
                    r.close();
                    dst.position(start);
                }
            }
            readFully(position, dst);
        }

        /**
         * Reads the member rows of a run into several buffers with one call where it can (see
         * {@link StorageFile#readWithoutReadAhead(long, ByteBuffer[])}); what that call did not read
         * (all of it where it could not be made, the tail of a short read) is read buffer by buffer.
         */
        @Override
        public void readWithoutReadAhead(long position, ByteBuffer[] dsts) throws IOException {
            int[] lengths = new int[dsts.length];
            for (int i = 0; i < dsts.length; i++) {
                lengths[i] = dsts[i].remaining();
            }
            Reopening r = closed || dsts.length < 2 ? null : unreadAhead();
            if (r != null) {
                r.readScattered(position, dsts);
            }
            long pos = position;
            for (int i = 0; i < dsts.length; i++) {
                ByteBuffer d = dsts[i];
                if (d.hasRemaining()) {
                    readWithoutReadAhead(pos + lengths[i] - d.remaining(), d);
                }
                pos += lengths[i];
            }
        }

        @Override
        public void willNeed(long position, long length) {
            Reopening r = unreadAhead;
            if (r != null) {
                r.willNeed(position, length);
            }
        }

        @Override
        public boolean cached(long position) {
            Reopening r = unreadAhead;
            return r != null && r.cached(position);
        }

        @Override
        public boolean uncached(long position) {
            Reopening r = closed ? null : unreadAheadOrNull();
            return r != null && r.uncached(position);
        }

        @Override
        public boolean hole(long position, long length) {
            Reopening r = closed ? null : unreadAheadOrNull();
            return r != null && r.hole(position, length);
        }

        /** {@link #unreadAhead()}, or null where it cannot be opened now. */
        private Reopening unreadAheadOrNull() {
            try {
                return unreadAhead();
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            read(main, position, dst);
        }

        private static void read(Reopening r, long position, ByteBuffer dst) throws IOException {
            int start = dst.position();
            r.io(ch -> {
                dst.position(start);
                long pos = position;
                while (dst.hasRemaining()) {
                    int n = ch.read(dst, pos);
                    if (n < 0) {
                        while (dst.hasRemaining()) {
                            dst.put((byte) 0);
                        }
                        return null;
                    }
                    pos += n;
                }
                return null;
            });
        }

        @Override
        public void writeFully(long position, ByteBuffer src) throws IOException {
            int start = src.position();
            if (direct != null && DirectWrites.eligible(position, src)) {
                try {
                    if (direct.write(position, src)) {
                        return;
                    }
                } catch (IOException e) {
                    throw noSpace(e, path);
                }
            }
            io(ch -> {
                src.position(start);
                long pos = position;
                while (src.hasRemaining()) {
                    pos += ch.write(src, pos);
                }
                return null;
            });
            if (behind != null) {
                behind.wrote(position, src.position() - start);
            }
        }

        @Override
        public void zeroRange(long position, long length, boolean deallocate) throws IOException {
            if (length >= Fallocate.WORTH_IT && !(deallocate ? cannotPunch : cannotZeroInPlace)) {
                // set before the call (a force that runs while it does syncs the metadata too) and
                // after it (a force that began meanwhile took the flag before this range was done)
                extentsChanged = true;
                boolean done = Fallocate.zero(path, position, length, deallocate);
                extentsChanged = true;
                if (done) {
                    return;
                }
                if (deallocate) {
                    cannotPunch = true;
                } else {
                    cannotZeroInPlace = true;
                }
            }
            StorageFile.super.zeroRange(position, length, deallocate);
        }

        /** Holes: unless refused before (punching works on the file systems Linux pools live on); in place: as probed. */
        @Override
        public boolean zeroesWithoutWriting(boolean deallocate) {
            if (deallocate) {
                return !cannotPunch;
            }
            Boolean probed = zeroesInPlace;
            if (probed == null) {
                zeroesInPlace = probed = Fallocate.zeroesInPlace(path); // its file system, once: not a mount-table look per request
            }
            return probed && !cannotZeroInPlace;
        }

        @Override
        public void force() throws IOException {
            // a punched hole or zeroed range is a change of the file's extents, which fdatasync
            // need not cover on every file system: then the whole inode is synced (fsync)
            boolean metadata = extentsChanged;
            extentsChanged = false;
            EarlyWriteBack.Force own = () -> main.sync(ch -> {
                ch.force(metadata);
                return null;
            });
            try {
                if (behind != null) {
                    behind.force(own); // a write-back a background force saw fail is this force's failure
                } else {
                    own.run();
                }
            } catch (IOException | RuntimeException e) {
                if (metadata) {
                    extentsChanged = true;
                }
                throw e;
            }
        }

        @Override
        public boolean writeBackFailed() {
            return behind != null && behind.failedUnreported();
        }

        @Override
        public long size() throws IOException {
            return io(FileChannel::size);
        }

        @Override
        public void setLength(long length) throws IOException {
            io(ch -> {
                long current = ch.size();
                if (length < current) {
                    ch.truncate(length);
                } else if (length > current) {
                    // sparse, as truncate(1) or qemu-img create make an image: writing the last byte
                    // allocated the last block of every new drive image; the size is metadata, so the
                    // next force syncs the inode (fsync)
                    extentsChanged = true;
                    if (!same.extend(ch, length)) {
                        ch.write(ByteBuffer.wrap(new byte[1]), length - 1); // (out of reach by name: as before)
                    }
                }
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            closed = true;
            same.forget();
            try {
                if (direct != null) {
                    direct.close();
                }
            } finally {
                try {
                    main.close();
                } finally {
                    synchronized (this) {
                        if (unreadAhead != null) {
                            unreadAhead.close();
                        }
                    }
                }
            }
        }
    }
}
