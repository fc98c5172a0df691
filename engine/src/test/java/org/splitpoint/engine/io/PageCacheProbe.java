package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** For tests elsewhere: a file's pages dropped from the page cache, and whether one is there (see {@link ReadAdvice}). */
public final class PageCacheProbe {

    private PageCacheProbe() {
    }

    /** True when this JVM can advise the kernel (the engine's surefire runs with the flags serve has). */
    public static boolean available() {
        return ReadAdvice.available();
    }

    /**
     * Drops the pages of {@code file} from the page cache, written back first: DONTNEED only starts
     * the write-back of dirty pages and leaves the pages it finds dirty or under write-back.
     */
    public static boolean evict(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(false);
            ReadAdvice a = ReadAdvice.get();
            return a.dontNeed(a.descriptor(ch), 0, 0);
        }
    }

    /** Pages of [position, position+length) of {@code file} in the page cache; -1 when that cannot be told. */
    public static long cachedPages(Path file, long position, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return NativeAdvice.cachedPages(ReadAdvice.get().descriptor(ch), position, length);
        }
    }
}
