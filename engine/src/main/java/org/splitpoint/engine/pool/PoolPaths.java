package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Path;

/** Where a pool keeps what: {@code pool.json}, {@code drives/*.img}, {@code meta/}, the lock file. */
public record PoolPaths(Path dir) {

    /**
     * Whether {@code p} is the pool's directory or lies in it, symbolic links followed as far as
     * the path exists (a link to the pool names the pool; a path not made yet is judged by the
     * directory it would be made in): what a command writes where the user says must not land
     * on the pool's own files, and a backup kept there would die with the pool.
     */
    public boolean holds(Path p) {
        return real(p).startsWith(real(dir));
    }

    /** {@code p} with the symbolic links of its longest existing prefix resolved. */
    private static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path rest = abs.getFileSystem().getPath("");
        for (Path at = abs; at != null; at = at.getParent()) {
            try {
                return at.toRealPath().resolve(rest).normalize();
            } catch (IOException notThere) {
                rest = at.getFileName() == null ? rest : at.getFileName().resolve(rest);
            }
        }
        return abs;
    }

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

    /** A volume's changed-block map (tracks changed since its last backup). */
    public Path changeMap(String volume) {
        return meta().resolve(volume + ".cbt");
    }

    /** The changed tracks a backup under way took (given back if it does not complete). */
    public Path changeMapTaken(String volume) {
        return meta().resolve(volume + ".cbt.taken");
    }

    /** The tracks an instant restore still owes (the overwrite map, inverted: set = not current). */
    public Path restoreMap(String volume) {
        return meta().resolve(volume + ".restore.inv");
    }

    public Path events() {
        return meta().resolve("events.jsonl");
    }

    /** A service window's delta: the member-row tracks written while its drive is OFFLINE. */
    public Path delta(String volume) {
        return meta().resolve(volume + ".delta");
    }

    /** A data-mode window's bytes the offline drive missed. */
    public Path deltaLog(String volume) {
        return meta().resolve(volume + ".delta.log");
    }

    /** A repository-mode window's repository in meta/ (segment 0 when no spare holds it, else an overflow). */
    public Path repository(String volume, int segment) {
        return meta().resolve(volume + ".repo" + (segment == 0 ? "" : "." + segment));
    }

    /** The saved tracks of every snapshot (which save-area slot holds which track for which snapshots). */
    public Path saveLog() {
        return meta().resolve("snapshots.log");
    }

    /** The tracks a restore to a snapshot still owes. */
    public Path snapshotRestoreMap(String volume) {
        return meta().resolve(volume + ".snaprestore.inv");
    }
}
