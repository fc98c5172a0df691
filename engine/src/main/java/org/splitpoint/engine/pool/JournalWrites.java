package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.JournalAdmin.Open;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The host write path of a journaled volume: each write appended to the journal, the full-journal
 * policy (wait for a ship only while one can come, {@link ShipForRoom}), and a write left out of the
 * journal, which stops protecting the volume durably before the write goes on.
 *
 * <p>A full journal. A write that finds no room waits for a ship only while one can come
 * ({@link ShipForRoom}: not one refused, nor one held up by an operation that holds the pool's
 * monitor and waits for this very write); otherwise the journal stops protecting the volume at
 * once, durably before the write goes on, and a backup whose instant came before a write left
 * out is not its base: a base never claims a write the journal does not hold. Nor is a backup
 * taken before the journal was enabled (a disable and enable while it ran): the writes between
 * are in neither.
 *
 * <p>A write left out. A write the journal does not take (full as above, or no drive of it left:
 * a journal that lost both its legs protects nothing, and no backup gives it a base) is
 * acknowledged only once pool.json says the journal protects nothing; while pool.json cannot be
 * written such a write is refused with an I/O error, and a flush that finds no leg left fails: after
 * a power cut, pool.json naming the base would claim a write that is in neither.
 *
 * <p>The look at the base and the left-out mark are one step under the pool's journalLock, against
 * {@link JournalBase#backupCompleted}, which reads the mark and makes the base under that lock. A
 * write the journal takes allocates nothing here.
 */
final class JournalWrites {

    private JournalWrites() { }

    /**
     * Appends a write to the volume's journal. When it is full, a ship makes room: the write waits
     * for one (up to 20 s) only while one can come ({@link ShipForRoom}); a write that waited for a
     * ship no one could start or one that was refused stalled its host for the 20 s, and with the
     * journal then protecting nothing every later write did too. Otherwise, or past the 20 s, the
     * journal stops protecting the volume (persisted before the write goes on) and the write goes
     * on without it.
     */
    static void append(Pool pool, String volume, long offset, ByteBuffer data) throws IOException {
        Open o = pool.journals.get(volume);
        if (o == null) {
            return;
        }
        long seq;
        try {
            seq = o.journal.append(offset, data);
        } catch (RuntimeException e) {
            // the members may take this write while the journal did not: base + journal would no
            // longer make the volume, so the journal stops protecting it until a new base
            try {
                leaveOut(pool, o, "a write could not be journaled (" + e + ")");
            } catch (IOException notRecorded) {
                e.addSuppressed(notRecorded);
            }
            throw e;
        }
        if (seq == -1) {
            // no leg left: the write is in no journal, like one a full journal leaves out
            leaveOut(pool, o, "both its drives failed");
            return;
        }
        if (seq != -2) {
            return;
        }
        boolean noBase;
        synchronized (pool.journalLock) {
            // the look and the mark as one step against backupCompleted, which reads the mark and
            // makes the base under this lock: between the two, a backup whose instant came before
            // this write could become the base unmarked, holding the write nowhere (helper 61)
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            noBase = rec == null || rec.base() == null;
            if (noBase) {
                // protecting nothing: a ship needs a base, so none can make room; a backup under way
                // whose instant came before this write must not become the base (see backupCompleted)
                o.leftOutSinceInstant = true;
            }
        }
        if (noBase) {
            leaveOut(pool, o, "the journal is full"); // refused if "protecting nothing" is not on record yet
            return;
        }
        // full: a ship frees room; wait for it a while rather than leave a write out of the journal
        if (!pool.jobsRunning()) {
            leaveOut(pool, o, "the journal is full and no job can run to ship it");
            return;
        }
        ShipForRoom ship = ShipForRoom.ask(pool, volume);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            seq = o.journal.append(offset, data);
            if (seq != -2) {
                return;
            }
            String vain = ship.whyInVain(o);
            if (vain != null) {
                if (o.journal.append(offset, data) != -2) {
                    return; // room made just now
                }
                leaveOut(pool, o, vain);
                return;
            }
            if (ship.endedWithoutRoom()) {
                ship = ShipForRoom.ask(pool, volume); // others took the room it made: the next ship
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        leaveOut(pool, o, "the journal filled up before a ship could empty it");
    }

    /**
     * A write goes on without the journal: it stops protecting, and no backup whose instant came
     * before is its base. Throws, and the write is refused (an I/O error its host sees), when
     * pool.json cannot record that the journal stopped protecting: acknowledged, the write would be
     * in neither the base that pool.json still names nor the journal.
     */
    private static void leaveOut(Pool pool, Open o, String why) throws IOException {
        o.leftOutSinceInstant = true;
        try {
            stopProtecting(pool, o.volume, why);
        } catch (IOException e) {
            if (!o.refusalSaid) { // once until it is on record: every write refused meanwhile says it to its host
                o.refusalSaid = true;
                pool.events.publish(Event.critical("JOURNAL", o.volume, "a write to " + o.volume + " was refused with an"
                        + " I/O error: the journal left it out (" + why + ") and pool.json could not record that the"
                        + " journal no longer protects " + o.volume + " (" + e.getMessage() + "); writes the journal"
                        + " cannot take are refused until pool.json can be written"));
            }
            throw new IOException("volume " + o.volume + ": the write was not done: the journal left it out (" + why
                    + ") and pool.json could not record that the journal no longer protects the volume: " + e.getMessage(), e);
        }
    }

    /**
     * An operation holding the pool's monitor begins ({@code waiting}) or ends waiting for the
     * writes under way to the journal's volume (told by {@link RaidVolume#awaitingWrites} through the
     * write log); see {@link Open#shipHolders}.
     */
    static void shipHeld(Pool pool, Open o, boolean waiting) {
        if (Thread.holdsLock(pool)) {
            if (waiting) {
                o.shipHolders.incrementAndGet();
            } else {
                o.shipHolders.decrementAndGet();
            }
        }
    }

    /**
     * The journal misses writes from now on: it protects nothing until a backup into its store
     * re-bases it (one is started now), or, with both its drives lost, until it is enabled again.
     * Returns once pool.json says so; throws when it cannot be written (the base stays dropped in
     * memory, {@link Open#stopUnrecorded}, and the next call writes it again): a writer must then
     * refuse the write it leaves out, a flush the writes it would acknowledge.
     */
    static void stopProtecting(Pool pool, String volume, String why) throws IOException {
        Open o = pool.journals.get(volume);
        synchronized (pool.journalLock) {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            if (rec == null || rec.base() == null && (o == null || !o.stopUnrecorded)) {
                return; // protecting nothing, on record
            }
            if (rec.base() != null) {
                pool.journalRecords.put(volume, rec.based(null, rec.shippedThrough()));
                if (o != null) {
                    o.stopUnrecorded = true; // until the persist below succeeds
                }
            }
            pool.persist();
            if (o != null) {
                o.stopUnrecorded = false;
                o.refusalSaid = false;
            }
        }
        boolean lost = o != null && o.journal.unprotected();
        pool.events.publish(Event.critical("JOURNAL", volume, "the journal of " + volume + " stopped protecting it: " + why
                + (lost ? "; enable the journal on other drives (disable it first)"
                : "; a backup into its store gives it a new base (started now, or once a restore or backup of " + volume
                + " under way ended)")));
        // on another thread: a writer may be the caller, holding the volume's gate that the
        // backup's start takes exclusively
        inBackground(pool, "rebase", () -> JournalWatch.rebaseQuietly(pool, volume));
    }

    /**
     * Runs {@code work} on a thread of its own, unless the pool is closing; the pool's close waits
     * for it ({@link #awaitInBackground}). A rebase started as the pool closed went on creating its
     * image in the store after the close returned (a test's temporary directory held an entry the
     * cleanup had not seen: JournalLeftOutWriteTest in a CI run).
     */
    static void inBackground(Pool pool, String what, Runnable work) {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } finally {
                pool.journalThreads.remove(Thread.currentThread());
            }
        }, "splitpoint-journal-" + what);
        t.setDaemon(true);
        // listed before the look at closed, as the close sets closed before it looks at the list:
        // one of the two sees the other, so no thread starts that the close does not wait for
        pool.journalThreads.add(t);
        if (pool.isClosed()) {
            pool.journalThreads.remove(t);
            return;
        }
        t.start();
    }

    /**
     * Waits up to {@code millis} for the threads {@link #inBackground} started to end (the pool is
     * closed, so none starts now). Waits for the list to empty, not on each thread: one may be listed
     * and not started yet.
     */
    static void awaitInBackground(Pool pool, long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (!pool.journalThreads.isEmpty() && System.nanoTime() < until) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
