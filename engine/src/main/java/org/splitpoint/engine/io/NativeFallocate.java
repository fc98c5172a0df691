package org.splitpoint.engine.io;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

/**
 * fallocate(2) called directly, through JDK 17's {@code jdk.incubator.foreign}: the fast way of
 * {@link Fallocate}, used only when the JVM was started with {@code --add-modules
 * jdk.incubator.foreign --enable-native-access=ALL-UNNAMED} (the launcher does so for {@code serve}
 * and the app). Nothing else in the engine depends on it: {@link Fallocate} touches this class only
 * after finding the module in the boot layer, and any refusal (no native access) leaves the
 * portable way in charge.
 *
 * <p>Design. Each call opens the image by path (O_WRONLY, O_CLOEXEC: a FileChannel does not give
 * its descriptor away), calls fallocate with KEEP_SIZE and PUNCH_HOLE or ZERO_RANGE, and closes
 * it; the caller's channel sees the change (same inode) and its next force makes it durable. errno
 * is not readable through this API in JDK 17, so a failure is just "not done": the caller writes
 * the zeros, and a real error (no space, a failing disk) surfaces from that write.
 */
final class NativeFallocate {

    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int FALLOC_FL_ZERO_RANGE = 0x10;

    private final MethodHandle open;
    private final MethodHandle fallocate;
    private final MethodHandle close;

    /** Throws (IllegalCallerException, say) when native access is not enabled for the engine. */
    NativeFallocate() {
        CLinker c = CLinker.getInstance();
        SymbolLookup libc = CLinker.systemLookup();
        open = c.downcallHandle(libc.lookup("open").orElseThrow(),
                MethodType.methodType(int.class, MemoryAddress.class, int.class),
                FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT));
        fallocate = c.downcallHandle(libc.lookup("fallocate").orElseThrow(),
                MethodType.methodType(int.class, int.class, int.class, long.class, long.class),
                FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG, CLinker.C_LONG));
        close = c.downcallHandle(libc.lookup("close").orElseThrow(),
                MethodType.methodType(int.class, int.class), FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT));
        link();
    }

    /**
     * Makes one harmless call through each handle (an empty path, descriptor -1: ENOENT, EBADF): a
     * downcall's first call builds its glue, 150-200 ms here, which would otherwise fall on the
     * first zeroing a client asks for.
     */
    private void link() {
        try (ResourceScope scope = ResourceScope.newConfinedScope()) {
            int fd = (int) open.invokeExact(CLinker.toCString("", scope).address(), O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                int ignored = (int) close.invokeExact(fd);
            }
            int ignored = (int) fallocate.invokeExact(-1, FALLOC_FL_KEEP_SIZE, 0L, 0L);
            ignored = (int) close.invokeExact(-1);
        } catch (Throwable t) {
            // linked at the first real call then, or that call fails and zeros are written
        }
    }

    /** Punches ({@code punch}) or zeroes in place [position, position+length) of {@code file}; false when not done. */
    boolean zero(Path file, long position, long length, boolean punch) {
        try (ResourceScope scope = ResourceScope.newConfinedScope()) {
            MemorySegment path = CLinker.toCString(file.toString(), scope);
            int fd = (int) open.invokeExact(path.address(), O_WRONLY | O_CLOEXEC);
            if (fd < 0) {
                return false;
            }
            try {
                int mode = FALLOC_FL_KEEP_SIZE | (punch ? FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE);
                return (int) fallocate.invokeExact(fd, mode, position, length) == 0;
            } finally {
                int ignored = (int) close.invokeExact(fd);
            }
        } catch (Throwable t) {
            return false; // a downcall that cannot be made: the zeros are written instead
        }
    }
}
