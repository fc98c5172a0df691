package org.splitpoint.engine.io;

/**
 * A drive image may not grow where a write would take it (EFBIG): the process's file-size limit
 * (ulimit -f, systemd's LimitFSIZE) or the file system's largest file. Like a full file system it
 * is a condition of the host, not of the drive, so it is a {@link NoSpaceException}: the write is
 * refused and no drive is failed. Its own type only changes the advice given (raise the limit,
 * rather than free space).
 */
public class FileTooLargeException extends NoSpaceException {
    public FileTooLargeException(String message) {
        super(message);
    }

    /** True when {@code e} is the kernel's EFBIG as the JDK reports it. */
    public static boolean isFileTooLarge(java.io.IOException e) {
        String m = e.getMessage();
        return e instanceof FileTooLargeException || (m != null && m.contains("File too large"));
    }
}
