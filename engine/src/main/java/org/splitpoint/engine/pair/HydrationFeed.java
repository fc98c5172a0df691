package org.splitpoint.engine.pair;

/**
 * A bounded ring of the tracks most recently served on demand (from a pair's BCV, or a backup during an
 * instant restore), numbered by a
 * sequence, so a live view can ask "what happened since I last looked" without the I/O path ever
 * waiting for it. Old entries are overwritten; a reader that falls behind just misses some flashes.
 */
public final class HydrationFeed {

    /** Tracks hydrated after a given sequence number, and the sequence to ask from next time. */
    public record Batch(long[] tracks, long nextSeq) { }

    private final long[] ring;
    private long seq;

    public HydrationFeed(int capacity) {
        this.ring = new long[capacity];
    }

    public synchronized void add(long track) {
        ring[(int) (seq % ring.length)] = track;
        seq++;
    }

    public synchronized Batch since(long afterSeq) {
        long from = Math.max(afterSeq, seq - ring.length);
        long[] out = new long[(int) Math.max(0, seq - from)];
        for (int i = 0; i < out.length; i++) {
            out[i] = ring[(int) ((from + i) % ring.length)];
        }
        return new Batch(out, seq);
    }
}
