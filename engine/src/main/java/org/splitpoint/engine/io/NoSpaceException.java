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

    /**
     * What work stopped by {@code e} needs that the host does not give, for "... needs WHAT": space on the file
     * system, or (a file-size limit) a drive image larger than the process may make one; freeing space does nothing
     * for the second.
     */
    public static String lacking(IOException e) {
        return FileTooLargeException.isFileTooLarge(e)
                ? "a drive image to grow past the file-size limit of the process holding the pool (ulimit -f)"
                : "space the file system holding the pool does not have";
    }

    /** When work stopped by {@code e} can go on, for "until WHEN": once space is freed, or the limit raised. */
    public static String untilResolved(IOException e) {
        return FileTooLargeException.isFileTooLarge(e) ? "that limit is raised" : "space is freed";
    }

    /** What to do about {@code e}, for a sentence's advice ("...; ADVICE first"). */
    public static String remedy(IOException e) {
        return FileTooLargeException.isFileTooLarge(e)
                ? "raise the file-size limit of the process holding the pool (ulimit -f)"
                : "free space there";
    }
}
