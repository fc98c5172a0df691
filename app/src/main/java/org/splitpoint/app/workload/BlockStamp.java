package org.splitpoint.app.workload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Self-describing 4 KiB units for the verifying workload: each names its own offset and a
 * generation (a write counter) and carries a payload derived from both, so a read can say exactly
 * what is wrong — another offset's data, an older or newer generation, no stamp, or torn bytes.
 */
public final class BlockStamp {

    public static final int UNIT = 4096;
    private static final long MAGIC = 0x3130545053504c53L; // "SPLSPT01" little-endian: readable in a hex dump
    private static final int HEADER = 24;

    private BlockStamp() {
    }

    /** Writes the unit for ({@code offset}, {@code gen}) into {@code dst} at its position, advancing it. */
    public static void fill(ByteBuffer dst, long offset, int gen) {
        ByteBuffer b = dst.slice(dst.position(), UNIT).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putLong(offset).putInt(gen).putInt(~gen);
        long x = seed(offset, gen);
        while (b.remaining() >= 8) {
            x = next(x);
            b.putLong(x);
        }
        dst.position(dst.position() + UNIT);
    }

    /**
     * Checks the unit at {@code src}'s position (advancing it) against ({@code offset}, {@code gen});
     * returns null when it matches, else one sentence saying what was found instead.
     */
    public static String check(ByteBuffer src, long offset, int gen) {
        ByteBuffer b = src.slice(src.position(), UNIT).order(ByteOrder.LITTLE_ENDIAN);
        src.position(src.position() + UNIT);
        long magic = b.getLong();
        long at = b.getLong();
        int g = b.getInt();
        int notG = b.getInt();
        if (magic != MAGIC || notG != ~g) {
            return "the block at " + offset + " holds no workload stamp (expected generation " + gen + ")";
        }
        if (at != offset) {
            return "the block at " + offset + " holds the data of offset " + at;
        }
        if (g != gen) {
            return "the block at " + offset + " holds generation " + g + ", expected " + gen
                    + (Integer.compareUnsigned(g, gen) < 0 ? " (an older write: a write was lost)" : " (a newer write)");
        }
        long x = seed(offset, gen);
        for (int i = HEADER; i + 8 <= UNIT; i += 8) {
            x = next(x);
            if (b.getLong(i) != x) {
                return "the block at " + offset + " (generation " + gen + ") is torn at byte " + i;
            }
        }
        return null;
    }

    private static long seed(long offset, int gen) {
        return (offset * 0x9E3779B97F4A7C15L) ^ (gen * 0xC2B2AE3D27D4EB4FL) ^ 0x5851F42D4C957F2DL;
    }

    private static long next(long x) { // xorshift64: cheap, and any flipped bit changes the rest
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}
