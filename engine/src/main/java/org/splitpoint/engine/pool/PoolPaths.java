package org.splitpoint.engine.pool;

import java.nio.file.Path;

/** Where a pool keeps what: {@code pool.json}, {@code drives/*.img}, {@code meta/}, the lock file. */
public record PoolPaths(Path dir) {

    public Path config() {
        return dir.resolve("pool.json");
    }

    public Path lock() {
        return dir.resolve("pool.lock");
    }

    public Path drives() {
        return dir.resolve("drives");
    }

    public Path meta() {
        return dir.resolve("meta");
    }

    public Path image(String drive) {
        return drives().resolve(drive + ".img");
    }

    /** Write-intent bitmap of a volume. */
    public Path writeIntent(String volume) {
        return meta().resolve(volume + ".wib");
    }

    /** Stripe journal of a parity volume. */
    public Path journal(String volume) {
        return meta().resolve(volume + ".journal");
    }

    /** A pair's bitmaps: {@code kind} is "std.inv" or "bcv.inv". */
    public Path pairBitmap(String pair, String kind) {
        return meta().resolve(pair + "." + kind);
    }

    public Path events() {
        return meta().resolve("events.jsonl");
    }
}
