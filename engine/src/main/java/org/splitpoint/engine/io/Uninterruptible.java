package org.splitpoint.engine.io;

import java.lang.reflect.Method;
import java.nio.channels.FileChannel;

/**
 * Makes a file channel deaf to thread interrupts, where this JVM lets us (the holders run with
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, as the engine's tests do).
 *
 * <p>Design. The JDK closes a FileChannel when a thread blocked in it is interrupted, for every
 * thread that shares it. RealStorage reopens it and redoes a read or a write, but not a force: the
 * fsync the close cut off may have taken the kernel's one report of a failed write-back, so it fails
 * as {@link SyncCutOffException}, a possible loss the volume heals; and an interrupted writer's
 * write then failed where the redo had let it succeed (MemberAbsenceTest). The JDK's own file
 * channels that must not be cut (its image reader) are made so by {@code FileChannelImpl
 * .setUninterruptible()}; this calls it on every channel RealStorage keeps: an interrupt then only
 * sets the thread's flag, for its caller to see, and every I/O and fsync answers what the kernel said.
 * Where the call is not open to us, nothing changes and the reopening and SyncCutOffException stand.
 */
final class Uninterruptible {

    private static final Method SET = load();

    /** Off for a test of the fallback (channels closed by interrupts, as without the module opened). */
    static volatile boolean disabledForTest;

    private Uninterruptible() {
    }

    private static Method load() {
        try {
            Method m = Class.forName("sun.nio.ch.FileChannelImpl").getMethod("setUninterruptible");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // java.base does not open sun.nio.ch to us: interrupts close channels as before
        }
    }

    /** True when channels can be made uninterruptible in this JVM. */
    static boolean available() {
        return SET != null && !disabledForTest;
    }

    /** {@code ch}, deaf to interrupts where that is available. */
    static FileChannel apply(FileChannel ch) {
        if (available() && ch != null) {
            try {
                SET.invoke(ch);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // another channel class (a test's): it stays as it is
            }
        }
        return ch;
    }
}
