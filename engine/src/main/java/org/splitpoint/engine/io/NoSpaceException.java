package org.splitpoint.engine.io;

import java.io.IOException;

/**
 * The file system holding the pool is full (ENOSPC, or a quota; or a file-size limit, {@link
 * FileTooLargeException}). Drive images are sparse and grow as
 * they are written, so this is a condition of the host, not a failure of the drive being written:
 * the engine refuses the write with this sentence and fails no member.
 */
public class NoSpaceException extends IOException {
    public NoSpaceException(String message) {
        super(message);
    }

    /** True when {@code e} is the kernel's "no space" (or quota, or file-size limit) error as the JDK reports it. */
    public static boolean isNoSpace(IOException e) {
        String m = e.getMessage();
        return e instanceof NoSpaceException || FileTooLargeException.isFileTooLarge(e)
                || (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded")));
    }
}
