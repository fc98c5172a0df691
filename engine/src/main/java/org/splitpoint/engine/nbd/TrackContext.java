package org.splitpoint.engine.nbd;

import java.io.IOException;

/**
 * A metadata context an export offers beside {@code base:allocation}: per track of the pool, a few
 * flag bits (NBD_CMD_BLOCK_STATUS reports them as track-granular extents). The context's meaning
 * and its bits are documented where it is made ({@code pool.PoolExports}).
 */
public interface TrackContext {

    /** The full context name, {@code namespace:leaf} (e.g. {@code splitpoint:invalid}). */
    String name();

    /** Bytes per track: every extent of this context starts and ends on a track boundary (or the request's ends). */
    int trackSize();

    /**
     * The flags of every track as they are now; read once per block-status request, since they
     * change between requests. Throws when the context cannot be answered any more (its snapshot
     * was deleted, say), with a sentence saying so.
     */
    Flags now() throws IOException;

    /** Flags per track, at one instant. */
    interface Flags {
        int of(long track);
    }
}
