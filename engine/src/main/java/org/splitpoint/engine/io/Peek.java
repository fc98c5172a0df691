package org.splitpoint.engine.io;

/**
 * What a device can tell of a range without reading it ({@link BlockDevice#peek}), for a client
 * asking where the data is (NBD block status) before it reads.
 *
 * <p>Why. Block status was answered by reading the first 4 KiB of every MiB to look for zeros. On a
 * cold volume that was a disk read of its own ahead of each client read of the same bytes: 1024
 * more reads per GiB copied, each waited for on a worker, and the client's reads then met those
 * pages a second time; nbdcopy's cold read of 1 GiB cost the server 0.55-0.64 s of system time
 * against 0.46-0.51 without them (nbdkit's file plugin, which asks lseek: 0.41-0.47).
 */
public enum Peek {
    /** Nothing known: read the range to tell. */
    UNKNOWN,
    /** The range reads as zeros: every image its bytes come from holds a hole there. */
    ZEROS,
    /** The range holds data, and its first page is not in the page cache: reading it would go to the disk. */
    COLD_DATA
}
