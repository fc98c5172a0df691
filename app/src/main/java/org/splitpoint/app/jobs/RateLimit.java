package org.splitpoint.app.jobs;

/** Speed limits offered for background copies, in bytes per second as the engine's MB/s (10^6). */
public enum RateLimit {
    UNLIMITED(0), MB_100(100_000_000L), MB_10(10_000_000L), MB_1(1_000_000L);

    private final long bytesPerSecond;

    RateLimit(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** The choice for {@code bytesPerSecond}, or null when it is none of them. */
    static RateLimit of(long bytesPerSecond) {
        for (RateLimit l : values()) {
            if (l.bytesPerSecond == Math.max(0, bytesPerSecond)) {
                return l;
            }
        }
        return null;
    }

    static String describe(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? "unlimited" : String.format("%d MB/s", Math.round(bytesPerSecond / 1e6));
    }

    @Override
    public String toString() {
        return describe(bytesPerSecond);
    }
}
