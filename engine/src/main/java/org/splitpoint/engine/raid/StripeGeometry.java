package org.splitpoint.engine.raid;

import org.splitpoint.engine.pool.Layout;

/**
 * Where a parity volume's bytes live: stripe s occupies rows [s*u, (s+1)*u) of every member (u =
 * the strip unit), with n-1 data strips and one parity strip. RAID 3 puts parity on the last member;
 * RAID 5 rotates it to member (n-1) - (s mod n) and places data strip k on member (parity + 1 + k)
 * mod n (left-symmetric, as md's default).
 *
 * <p>Design. Pure arithmetic, no state but the shape, shared by the volume's reads, writes, checks
 * and rebuilds; a walk over a byte range strip by strip ({@link #anyStripPiece}) allocates nothing
 * of its own, since every host request takes it.
 */
final class StripeGeometry {

    final Layout layout;
    /** Members of the volume. */
    final int n;
    /** Bytes of a strip: a stripe's rows on each member. */
    final int unit;
    /** Data strips per stripe (n - 1). */
    final int dataStrips;
    /** Volume bytes a stripe holds. */
    final long stripeData;
    /** The volume's size in bytes. */
    final long size;

    StripeGeometry(Layout layout, int n, int unit, long size) {
        this.layout = layout;
        this.n = n;
        this.unit = unit;
        this.dataStrips = n - 1;
        this.stripeData = (long) unit * dataStrips;
        this.size = size;
    }

    /** Capacity over {@code n} members of {@code memberSize} bytes with strip unit {@code u}. */
    static long capacity(int n, long memberSize, int u) {
        return (memberSize / u) * (long) u * (n - 1);
    }

    /** Bytes of each member the volume uses. */
    long memberRows() {
        return ((size + stripeData - 1) / stripeData) * unit;
    }

    /** The member holding the parity of stripe {@code s}. */
    int parityMember(long s) {
        return layout == Layout.RAID3 ? layout.parityMemberOfAll(n) : (int) ((n - 1) - (s % n));
    }

    /** The member holding data strip {@code k} of stripe {@code s}. */
    int dataMember(long s, int k) {
        return layout == Layout.RAID3 ? k : (parityMember(s) + 1 + k) % n;
    }

    /** The member rows [from, to) of the stripes volume bytes [offset, offset+length) touch. */
    long[] rowsOf(long offset, long length) {
        long s0 = offset / stripeData;
        long s1 = (offset + length + stripeData - 1) / stripeData;
        return new long[] {s0 * unit, s1 * unit};
    }

    /** The volume bytes of the stripes member rows [from, to) touch. */
    long[] volumeRangeOfRows(long from, long to) {
        long s0 = from / unit;
        long s1 = (to + unit - 1) / unit;
        return new long[] {s0 * stripeData, s1 * stripeData};
    }

    /** A piece of volume bytes [pos, pos+len) within one data strip: on member {@code m}, at member row {@code row}. */
    interface StripPiece<E extends Exception> {
        /** True to stop the walk here. */
        boolean at(long pos, int m, long row, int len) throws E;
    }

    /** Walks volume bytes [offset, end) strip by strip; true when {@code piece} stopped it. */
    <E extends Exception> boolean anyStripPiece(long offset, long end, StripPiece<E> piece) throws E {
        for (long pos = offset; pos < end; ) {
            long s = pos / stripeData;
            long within = pos - s * stripeData;
            int k = (int) (within / unit);
            int o = (int) (within - (long) k * unit);
            int len = (int) Math.min(unit - o, end - pos);
            if (piece.at(pos, dataMember(s, k), s * unit + o, len)) {
                return true;
            }
            pos += len;
        }
        return false;
    }
}
