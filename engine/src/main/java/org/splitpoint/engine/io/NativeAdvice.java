package org.splitpoint.engine.io;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;

/**
 * posix_fadvise(2), cachestat(2) (Linux 6.5 and later), lseek(2) for holes and preadv(2), called
 * through JDK 17's {@code jdk.incubator.foreign}, for {@link ReadAdvice}, which touches this class
 * only where the module is in the boot layer (its first use links the calls, or throws when native
 * access is refused). preadv because a FileChannel's scattering read has no position: a RAID 5
 * member's neighbouring strips, bound for places apart in the volume's buffer, took a call each.
 *
 * <p>Whether a page is cached is asked with cachestat, which only looks. A one-byte preadv2 with
 * RWF_NOWAIT was tried first: on a miss it starts reading the page, and when the disk (or the
 * host's cache under a virtual disk) answers within the call, it returns the byte as if it had
 * been cached, so a cold range looked warm now and then and was not fetched (a test caught it).
 * cachestat has no libc wrapper in older glibc: it goes through syscall(2), variadic, with its
 * number (451 on x86-64 and arm64 alike). Where the kernel does not have it, nothing looks cached.
 *
 * <p>The handles are static finals so that the JIT sees them as constants: held in instance
 * fields, a call cost 20-50 us for its first few hundred uses and 1-4 us for thousands more,
 * against 0.2-0.4 us compiled as a constant.
 */
final class NativeAdvice {

    static final int RANDOM = 1;
    static final int WILLNEED = 3;
    static final int DONTNEED = 4;
    private static final long SYS_CACHESTAT = 451;

    private static final MethodHandle FADVISE = CLinker.getInstance().downcallHandle(
            CLinker.systemLookup().lookup("posix_fadvise").orElseThrow(),
            MethodType.methodType(int.class, int.class, long.class, long.class, int.class),
            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG, CLinker.C_LONG, CLinker.C_INT));
    /** off_t lseek(int fd, off_t offset, int whence), for SEEK_DATA. */
    private static final MethodHandle LSEEK = CLinker.getInstance().downcallHandle(
            CLinker.systemLookup().lookup("lseek").orElseThrow(),
            MethodType.methodType(long.class, int.class, long.class, int.class),
            FunctionDescriptor.of(CLinker.C_LONG, CLinker.C_INT, CLinker.C_LONG, CLinker.C_INT));
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** long syscall(long number, ...) with cachestat's four arguments: fd, range, result, flags. */
    private static final MethodHandle CACHESTAT = CLinker.getInstance().downcallHandle(
            CLinker.systemLookup().lookup("syscall").orElseThrow(),
            MethodType.methodType(long.class, long.class, int.class, MemoryAddress.class, MemoryAddress.class, int.class),
            FunctionDescriptor.of(CLinker.C_LONG, CLinker.C_LONG, CLinker.asVarArg(CLinker.C_INT),
                    CLinker.asVarArg(CLinker.C_POINTER), CLinker.asVarArg(CLinker.C_POINTER),
                    CLinker.asVarArg(CLinker.C_INT)));

    /** ssize_t preadv(int fd, const struct iovec *iov, int iovcnt, off_t offset). */
    private static final MethodHandle PREADV = CLinker.getInstance().downcallHandle(
            CLinker.systemLookup().lookup("preadv").orElseThrow(),
            MethodType.methodType(long.class, int.class, MemoryAddress.class, int.class, long.class),
            FunctionDescriptor.of(CLinker.C_LONG, CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT, CLinker.C_LONG));
    /** The most buffers one {@link #preadv} takes (far under the kernel's IOV_MAX of 1024). */
    static final int MAX_IOVECS = 64;
    /** Each thread's array of struct iovec (16 bytes each: base, length) for {@link #preadv}. */
    private static final ThreadLocal<MemorySegment> IOVECS = ThreadLocal.withInitial(
            () -> MemorySegment.allocateNative(16L * MAX_IOVECS, 8, ResourceScope.newImplicitScope()));

    /** Each thread's struct cachestat_range (16 bytes) then struct cachestat (40); freed after the thread's last use. */
    private static final ThreadLocal<MemorySegment> STATS = ThreadLocal.withInitial(
            () -> MemorySegment.allocateNative(56, 8, ResourceScope.newImplicitScope()));

    private NativeAdvice() {
    }

    /**
     * Builds both calls' glue now (150-200 ms on first use here), with harmless calls (descriptor
     * -1: EBADF), many of them so that the JIT has compiled the path before the first stream read
     * needs it. Runs on the linking thread ({@link Fallocate#prepareInBackground}).
     */
    static void link() {
        fadvise(-1, 0, 0, RANDOM);
        for (int i = 0; i < 20_000; i++) {
            cachedPages(-1, 0, 4096);
            nextData(-1, 0);
            nextHole(-1, 0);
            preadv(-1, WARM_UP, 0);
        }
    }

    private static final ByteBuffer[] WARM_UP = {ByteBuffer.allocateDirect(1)};

    /**
     * preadv(2) of the file at {@code position} into the remaining bytes of {@code dsts}, direct
     * buffers, one after the other (at most {@link #MAX_IOVECS}); their positions are not moved.
     * Returns what the call returned: the bytes read (fewer than asked at the end of the file or
     * when a signal cut it short), or -1 for an error, a heap or read-only buffer among them (a
     * read-only view of direct memory would be written all the same), or too many.
     */
    static long preadv(int fd, ByteBuffer[] dsts, long position) {
        if (dsts.length > MAX_IOVECS) {
            return -1;
        }
        try {
            MemorySegment iov = IOVECS.get();
            for (int i = 0; i < dsts.length; i++) {
                ByteBuffer b = dsts[i];
                if (!b.isDirect() || b.isReadOnly()) {
                    return -1; // one by one: the channel refuses a read-only buffer as before
                }
                // the segment of a buffer runs from its position to its limit
                MemoryAccess.setLongAtOffset(iov, 16L * i, MemorySegment.ofByteBuffer(b).address().toRawLongValue());
                MemoryAccess.setLongAtOffset(iov, 16L * i + 8, b.remaining());
            }
            return (long) PREADV.invokeExact(fd, iov.address(), dsts.length, position);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** posix_fadvise; true when it returned 0. */
    static boolean fadvise(int fd, long position, long length, int advice) {
        try {
            return (int) FADVISE.invokeExact(fd, position, length, advice) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * lseek(fd, position, SEEK_DATA): where the first byte of data at or after {@code position}
     * lies (a hole's bytes are not data); -1 for an error, which includes "no data after it"
     * (ENXIO) and a bad descriptor alike: errno cannot be read here, so -1 proves nothing.
     * Moves the open file's offset, which positional reads do not use.
     */
    static long nextData(int fd, long position) {
        try {
            return (long) LSEEK.invokeExact(fd, position, SEEK_DATA);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** lseek(fd, position, SEEK_HOLE): where the first hole at or after {@code position} begins; -1 for an error. */
    static long nextHole(int fd, long position) {
        try {
            return (long) LSEEK.invokeExact(fd, position, SEEK_HOLE);
        } catch (Throwable t) {
            return -1;
        }
    }

    /**
     * Pages of [position, position+length) of {@code fd}'s file in the page cache (cachestat);
     * -1 when that cannot be told (no such call in this kernel, a bad descriptor).
     */
    static long cachedPages(int fd, long position, long length) {
        try {
            MemorySegment m = STATS.get();
            MemoryAccess.setLongAtOffset(m, 0, position);
            MemoryAccess.setLongAtOffset(m, 8, length);
            long rc = (long) CACHESTAT.invokeExact(SYS_CACHESTAT, fd, m.address(), m.address().addOffset(16), 0);
            return rc == 0 ? MemoryAccess.getLongAtOffset(m, 16) : -1;
        } catch (Throwable t) {
            return -1;
        }
    }
}
