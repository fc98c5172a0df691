package org.splitpoint.engine.snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.splitpoint.engine.bitmap.TrackBitmap;

/**
 * What the save area holds for one volume's snapshots: per track, the saved copies and the
 * generations each serves.
 *
 * <p>Design. Snapshots are numbered by generation, in the order they were taken. A track's saves
 * cover consecutive ranges of generations: a write to a track saves its old bytes once for every
 * snapshot taken since the track's last write (up to the newest), so several
 * snapshots share one copy and a track is never saved twice for one snapshot. A snapshot's image
 * of a track is the save covering its generation, or else the volume itself (not written since).
 * The highest generation a kept save of a track covers says, for every snapshot kept, exactly
 * whether the track was written since it was taken, so it is derived from the kept saves and never
 * stored; memory grows with the saves kept, not with the volume's size (a snapshot of a huge volume
 * costs nothing until its tracks are written). A save is kept while a valid snapshot, or one a
 * restore is reading (pinned), is in its range; the others are dropped and their slots freed, and
 * a save made durable only after its snapshots went is not entered at all (its slot goes back).
 */
public final class OriginIndex {

    private final String volume;
    private final long tracks;
    private final Map<Long, List<SaveRecord>> byTrack = new HashMap<>();
    private final TreeSet<Long> valid = new TreeSet<>();
    /** Restores reading each pinned generation (two may read one: the volume's own and another's). */
    private final TreeMap<Long, Integer> pinned = new TreeMap<>();
    /** Tracks held per kept generation. */
    private final TreeMap<Long, Long> held = new TreeMap<>();
    private volatile long newestValid;
    private long records;

    public OriginIndex(String volume, long tracks) {
        this.volume = volume;
        this.tracks = tracks;
    }

    /** The highest generation a kept save of track {@code t} covers (0: none). */
    private long last(long t) {
        List<SaveRecord> l = byTrack.get(t);
        long m = 0;
        if (l != null) {
            for (SaveRecord r : l) {
                m = Math.max(m, r.to());
            }
        }
        return m;
    }

    public String volume() {
        return volume;
    }

    public long tracks() {
        return tracks;
    }

    /** A snapshot of generation {@code gen} is valid (taken, or found valid at open). */
    public synchronized void addValid(long gen) {
        valid.add(gen);
        held.putIfAbsent(gen, 0L);
        newestValid = valid.last();
    }

    /** A restore reads snapshot {@code gen}: its saves are kept even if it becomes invalid, until every such restore ended. */
    public synchronized void pin(long gen) {
        pinned.merge(gen, 1, Integer::sum);
        held.putIfAbsent(gen, 0L);
    }

    /** True when no write need save anything: no valid snapshot. */
    public boolean quiet() {
        return newestValid == 0;
    }

    /** The generation range a write to track {@code t} must save the track for, or null. */
    public synchronized long[] saveRange(long t) {
        long nv = newestValid;
        long last = last(t);
        return nv > last ? new long[] {last + 1, nv} : null;
    }

    /**
     * Records a durable save; false when no kept snapshot needs it by now (deleted or made invalid
     * while it was being saved, which is on record before their saves are dropped): the caller
     * gives its slot back, as a drop would have.
     */
    public synchronized boolean add(SaveRecord r) {
        if (!kept(r)) {
            return false;
        }
        byTrack.computeIfAbsent(r.track(), k -> new ArrayList<>(2)).add(r);
        records++;
        for (Map.Entry<Long, Long> e : held.subMap(r.from(), true, r.to(), true).entrySet()) {
            e.setValue(e.getValue() + 1);
        }
        return true;
    }

    /** The save that is snapshot {@code gen}'s image of track {@code t}, or null (the volume has it). */
    public synchronized SaveRecord find(long t, long gen) {
        List<SaveRecord> l = byTrack.get(t);
        if (l != null) {
            for (SaveRecord r : l) {
                if (r.covers(gen)) {
                    return r;
                }
            }
        }
        return null;
    }

    /** True while {@code r} is still kept (its slot not given back). */
    public synchronized boolean holds(SaveRecord r) {
        List<SaveRecord> l = byTrack.get(r.track());
        return l != null && l.contains(r);
    }

    /** Tracks the save area holds for snapshot {@code gen}. */
    public synchronized long heldBy(long gen) {
        return held.getOrDefault(gen, 0L);
    }

    /** Saved copies kept (each one slot). */
    public synchronized long records() {
        return records;
    }

    /**
     * Snapshots {@code gens} are no longer valid (deleted, or invalid): returns the slots of the
     * saves no kept snapshot needs any more, which the caller frees once that is durable.
     */
    public synchronized List<Long> drop(List<Long> gens) {
        for (long g : gens) {
            valid.remove(g);
            if (!pinned.containsKey(g)) {
                held.remove(g);
            }
        }
        newestValid = valid.isEmpty() ? 0 : valid.last();
        return sweep();
    }

    /** A restore reading {@code gen} ended: returns the slots its saves no longer need. */
    public synchronized List<Long> unpin(long gen) {
        if (pinned.computeIfPresent(gen, (g, n) -> n > 1 ? n - 1 : null) != null) {
            return List.of(); // another restore still reads it
        }
        if (!valid.contains(gen)) {
            held.remove(gen);
        }
        return sweep();
    }

    private List<Long> sweep() {
        List<Long> freed = new ArrayList<>();
        var it = byTrack.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            List<SaveRecord> l = e.getValue();
            l.removeIf(r -> {
                if (kept(r)) {
                    return false;
                }
                freed.add(r.slot());
                return true;
            });
            if (l.isEmpty()) {
                it.remove();
            }
        }
        records -= freed.size();
        return freed;
    }

    /** True when a valid or pinned snapshot is in the save's range. */
    public synchronized boolean kept(SaveRecord r) {
        Long v = valid.ceiling(r.from());
        if (v != null && v <= r.to()) {
            return true;
        }
        Long p = pinned.ceilingKey(r.from());
        return p != null && p <= r.to();
    }

    /** Tracks written since snapshot {@code gen} was taken (what a restore to it must copy back). */
    public synchronized TrackBitmap writtenSince(long gen) {
        TrackBitmap out = new TrackBitmap(tracks);
        for (long t : byTrack.keySet()) {
            if (last(t) >= gen) {
                out.set(t);
            }
        }
        return out;
    }

    /** Every kept save (for compacting the log). */
    public synchronized List<SaveRecord> all() {
        List<SaveRecord> out = new ArrayList<>((int) records);
        for (List<SaveRecord> l : byTrack.values()) {
            out.addAll(l);
        }
        return out;
    }
}
