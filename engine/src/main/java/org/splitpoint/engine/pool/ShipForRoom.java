package org.splitpoint.engine.pool;

import java.io.IOException;

/**
 * A ship of a volume's staged journal asked for by a write that found the journal full, and
 * whether waiting for it can make room (policy for {@link JournalWrites#append}).
 *
 * <p>The write waits holding the volume's gate and its host way, so it must not wait for a ship
 * that cannot come: one refused (the volume being restored or rebuilt, a backup of it running,
 * ...), or one that cannot even start because the pool's monitor, which a ship needs to start, is
 * held by an operation that waits for this very write to end (a restore's beginning or end, a backup's
 * start, a pair made, a pair's establish, split or restore, a flush of the volume under the
 * monitor: {@link JournalAdmin.Open#shipHolders}). Such a write waited 20 s, then went
 * on without the journal all the same. A ship that runs ends without the monitor: worth waiting for,
 * and one running when asked is no refusal: once it ended without room for the write, another is
 * asked for (two writes waiting for it, the room it made taken by one, the other stopped the
 * journal protecting).
 */
final class ShipForRoom {

    private final Pool pool;
    private final String volume;
    private volatile boolean answered;
    private volatile String refused;

    private ShipForRoom(Pool pool, String volume) {
        this.pool = pool;
        this.volume = volume;
    }

    /** Asks for a ship on a thread of its own: it needs the pool's monitor, while the writer holds the volume's gate. */
    static ShipForRoom ask(Pool pool, String volume) {
        ShipForRoom s = new ShipForRoom(pool, volume);
        JournalWrites.inBackground(pool, "ship", s::ship);
        return s;
    }

    private void ship() {
        try {
            synchronized (pool) { // where ships start: one found running is waited for and asked again after, not a refusal
                if (running()) {
                    return; // a write that found the room it made taken by others' asked for a ship in vain
                }
                new JournalAdmin(pool).ship(volume);
            }
        } catch (IOException | PoolException e) {
            refused = e.getMessage();
        } finally {
            answered = true;
        }
    }

    private boolean running() {
        return BackupAdmin.runningJob(pool, "journal-ship", volume) != null;
    }

    /** Why waiting cannot make room for the write (one sentence), or null while it may. */
    String whyInVain(JournalAdmin.Open o) {
        if (running()) {
            return null; // this ship or one asked before: it ends without the monitor
        }
        if (answered && refused != null) {
            return "the journal is full and cannot ship now (" + refused + ")";
        }
        if (!answered && o.shipHolders.get() > 0) {
            return "the journal is full, and its ship cannot start while an operation on " + volume
                    + " (a restore beginning, a backup starting, ...) waits for the writes under way";
        }
        return null;
    }

    /** True when the ship ran and ended, and the write found no room still (others' writes took it, or it failed). */
    boolean endedWithoutRoom() {
        return answered && refused == null && !running();
    }
}
