package org.splitpoint.engine.bitmap;

import java.util.Arrays;

/**
 * A fixed-size set of track numbers, one bit per track. Mechanism only: it knows bits, not what
 * they mean (write intent, delta log, invalid tracks). Thread-safe; every method is atomic.
 */
public final class TrackBitmap {

    private final long bits;
    private final long[] words;
    private long cardinality;

    public TrackBitmap(long bits) {
        if (bits < 0 || bits > (1L << 36)) {
            throw new IllegalArgumentException("bitmap of " + bits + " bits is out of range");
        }
        this.bits = bits;
        this.words = new long[(int) ((bits + 63) >>> 6)];
    }

    /** Number of bits (tracks) the map covers. */
    public long size() {
        return bits;
    }

    public synchronized boolean get(long i) {
        check(i);
        return (words[(int) (i >>> 6)] & (1L << i)) != 0;
    }

    /** Sets bit {@code i}; returns true when it was clear before. */
    public synchronized boolean set(long i) {
        check(i);
        int w = (int) (i >>> 6);
        long mask = 1L << i;
        if ((words[w] & mask) != 0) {
            return false;
        }
        words[w] |= mask;
        cardinality++;
        return true;
    }

    /** Clears bit {@code i}; returns true when it was set before. */
    public synchronized boolean clear(long i) {
        check(i);
        int w = (int) (i >>> 6);
        long mask = 1L << i;
        if ((words[w] & mask) == 0) {
            return false;
        }
        words[w] &= ~mask;
        cardinality--;
        return true;
    }

    /** Sets every bit in [from, to); returns how many were newly set. */
    public synchronized long setRange(long from, long to) {
        long added = 0;
        for (long i = from; i < to; i++) {
            int w = (int) (i >>> 6);
            long mask = 1L << i;
            if ((words[w] & mask) == 0) {
                words[w] |= mask;
                added++;
            }
        }
        cardinality += added;
        return added;
    }

    public synchronized void clearAll() {
        Arrays.fill(words, 0);
        cardinality = 0;
    }

    public synchronized void setAll() {
        Arrays.fill(words, -1L);
        int tail = (int) (bits & 63);
        if (tail != 0 && words.length > 0) {
            words[words.length - 1] = (1L << tail) - 1;
        }
        cardinality = bits;
    }

    /** Number of set bits. */
    public synchronized long cardinality() {
        return cardinality;
    }

    /** The first set bit at or after {@code from}, or -1. */
    public synchronized long nextSetBit(long from) {
        if (from >= bits) {
            return -1;
        }
        int w = (int) (from >>> 6);
        long word = words[w] & (-1L << from);
        while (true) {
            if (word != 0) {
                long i = ((long) w << 6) + Long.numberOfTrailingZeros(word);
                return i < bits ? i : -1;
            }
            if (++w == words.length) {
                return -1;
            }
            word = words[w];
        }
    }

    /** A copy of the words, for persisting or comparing. */
    public synchronized long[] toWords() {
        return words.clone();
    }

    /**
     * {@code words} (of {@link #toWords}) as the bytes of big-endian 64-bit words: how a map travels
     * in JSON, which Jackson writes as base64 (the subscription stream, a drill's lines).
     */
    public static byte[] wordBytes(long[] words) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(words.length * Long.BYTES);
        b.asLongBuffer().put(words);
        return b.array();
    }

    /** The words {@link #wordBytes} encoded. */
    public static long[] wordsOf(byte[] bytes) {
        long[] out = new long[bytes.length / Long.BYTES];
        java.nio.ByteBuffer.wrap(bytes).asLongBuffer().get(out);
        return out;
    }

    /** Replaces the content with {@code source}'s words (same size). */
    public synchronized void loadWords(long[] source) {
        if (source.length != words.length) {
            throw new IllegalArgumentException("bitmap word count " + source.length + " != " + words.length);
        }
        System.arraycopy(source, 0, words, 0, words.length);
        int tail = (int) (bits & 63);
        if (tail != 0 && words.length > 0) {
            words[words.length - 1] &= (1L << tail) - 1;
        }
        long c = 0;
        for (long w : words) {
            c += Long.bitCount(w);
        }
        cardinality = c;
    }

    /** Copies the 64-bit word {@code w}; used to persist pages. */
    synchronized long word(int w) {
        return words[w];
    }

    int wordCount() {
        return words.length;
    }

    private void check(long i) {
        if (i < 0 || i >= bits) {
            throw new IndexOutOfBoundsException("track " + i + " outside 0.." + (bits - 1));
        }
    }
}
