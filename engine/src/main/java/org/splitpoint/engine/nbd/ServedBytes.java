package org.splitpoint.engine.nbd;

/**
 * Bytes a server's clients have read and written since it started, those of clients gone included:
 * the host I/O rate is its change over time (per-client counters miss a client that came and went
 * between two samples, as each nbdcopy or qemu-img run of a second or less does).
 */
public record ServedBytes(long read, long written) { }
