package org.splitpoint.engine.io;

/**
 * A flush of a drive image failed without the drive being at fault (its file system was full when
 * the kernel wrote the pages back), and the writes it could not make durable may be gone from the
 * image: on Linux a failed fsync marks those pages clean, and the next fsync succeeds without them.
 * No later flush may then say that the writes completed before it are on disk, so every flush of
 * that image fails with this until the pool is opened again, whose resync of the tracks written
 * meanwhile makes the drives agree. qemu's file driver does the same after a failed fsync (once
 * one failed, every later flush fails), for the same reason: nothing can tell which writes went.
 * It is a {@link NoSpaceException}: what a full file system does to a flush, not a failed drive.
 */
public class WritesLostException extends NoSpaceException {
    public WritesLostException(String message, Throwable cause) {
        super(message);
        if (cause != null) {
            initCause(cause);
        }
    }
}
