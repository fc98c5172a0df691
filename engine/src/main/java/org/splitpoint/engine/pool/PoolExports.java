package org.splitpoint.engine.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.nbd.Export;
import org.splitpoint.engine.nbd.ExportCatalog;
import org.splitpoint.engine.nbd.TrackContext;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.snapshot.SnapshotReader;

/**
 * The pool's volumes as NBD exports, named after the volumes, and their valid snapshots as
 * read-only exports named {@code VOLUME@NAME} (the save area is not exported). A pair's BCV is independently
 * addressable (seed 004 claims 8, 21): read-write while the pair is split, read-only while it is
 * established or restoring (its writes would then get EPERM anyway).
 *
 * <p>The default export (the empty name, {@code nbd://host:port} with no path) is the volume named
 * at construction ({@code serve --default-export}), else the first volume hosts may use in the
 * pool's order.
 *
 * <p>An export's identity is what its name stands for: the volume's object, or the snapshot's
 * generation. A snapshot deleted and taken again under its name between two of the server's
 * checks is another export, and its old connections are retired (their reader belongs to the
 * deleted one and answers every read EIO, never the new one's bytes).
 *
 * <p>Metadata contexts beside {@code base:allocation}, all track-granular (one extent boundary per
 * track of the pool at most), for backup tools that copy only what changed:
 * <ul>
 * <li>{@code splitpoint:changed-since:SNAPSHOT} on a volume with that valid snapshot: bit 0 (value
 *     1) set for a track written since the snapshot was taken (a track its saves hold), clear for
 *     one the snapshot shares with the volume;
 * <li>{@code splitpoint:invalid} on a pair's STD or BCV: bit 0 (1) set for a track invalid on the
 *     STD side, bit 1 (2) for a track invalid on the BCV side, as {@code pair query} counts them:
 *     while split, the tracks changed on that side since the split; while establishing, the tracks
 *     still to copy (STD side); while restoring, the tracks still to restore (BCV side).
 * </ul>
 *
 * <p>A context answers for what it was selected for, for the connection's life: the pair or the
 * snapshot (by its generation) it was made from. Once that is gone (the pair deleted, the snapshot
 * deleted, even if one of the same name was made since), its block status is an error saying so,
 * never the frozen bitmaps of a deleted pair or the changes since another snapshot: a tool copying
 * only what changed would otherwise leave changes out. The client connects again for the contexts
 * the volume offers now.
 */
public final class PoolExports implements ExportCatalog {

    /** The namespace of our metadata contexts. */
    public static final String NAMESPACE = "splitpoint:";
    public static final String INVALID = NAMESPACE + "invalid";
    public static final String CHANGED_SINCE = NAMESPACE + "changed-since:";

    private final Pool pool;
    private final String defaultExport;

    public PoolExports(Pool pool) {
        this(pool, null);
    }

    /** Exports of {@code pool} whose default export is {@code defaultExport} (null: the first volume). */
    public PoolExports(Pool pool, String defaultExport) {
        this.pool = pool;
        this.defaultExport = defaultExport;
    }

    @Override
    public void serving(String address) {
        pool.events.publish(org.splitpoint.engine.event.Event.info("NBD", address, "NBD server started on " + address
                + " (exports: " + String.join(", ", list().stream().map(Export::name).toList()) + ")"));
    }

    @Override
    public void stopped(String address) {
        pool.events.publish(org.splitpoint.engine.event.Event.info("NBD", address, "NBD server on " + address
                + " stopped"));
    }

    /** The pool learns who uses its volumes, so it refuses to delete one a client is connected to. */
    @Override
    public void serving(java.util.function.Supplier<List<org.splitpoint.engine.nbd.ClientStats>> clients, boolean on) {
        if (on) {
            pool.servedBy(clients);
        } else {
            pool.notServedBy(clients);
        }
    }

    /** The name the empty export name stands for now, or null when the pool has no volume hosts may use. */
    public String defaultName() {
        if (defaultExport != null) {
            return defaultExport;
        }
        for (String n : volumeNames()) {
            if (!n.equals(pool.snapshotCatalog.saveAreaVolume)) {
                return n;
            }
        }
        return null;
    }

    private List<String> volumeNames() {
        synchronized (pool.volumes) {
            return new ArrayList<>(pool.volumes.keySet());
        }
    }

    @Override
    public List<Export> list() {
        List<Export> out = new ArrayList<>();
        for (String n : volumeNames()) {
            Export e = find(n);
            if (e != null) {
                out.add(e);
            }
        }
        for (PoolConfig.SnapshotRecord s : pool.snapshotCatalog.of(null)) {
            if (s.valid()) {
                Export e = find(s.volume() + "@" + s.name());
                if (e != null) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    @Override
    public Export find(String name) {
        if (name.isEmpty()) {
            String d = defaultName();
            return d == null || d.isEmpty() ? null : find(d);
        }
        if (name.indexOf('@') > 0) {
            try {
                String volume = name.substring(0, name.indexOf('@'));
                String snapshot = name.substring(name.indexOf('@') + 1);
                SnapshotReader reader = pool.snapshots().reader(volume, snapshot);
                SnapshotAdmin.Info i = pool.snapshots().get(volume, snapshot);
                if (i.gen() != reader.generation()) {
                    return null; // deleted and taken again meanwhile: the next look finds one of them whole
                }
                // the snapshot's generation is what the name stands for: one taken again is another export
                return new Export(name, reader, true, "snapshot of " + i.volume() + " taken " + i.createdAt() + ", read-only",
                        List.of(), "snapshot generation " + reader.generation());
            } catch (PoolException gone) {
                return null;
            }
        }
        if (name.equals(pool.snapshotCatalog.saveAreaVolume)) {
            return null; // the save area holds snapshots' tracks, not a host's data
        }
        RaidVolume v = pool.volumes.get(name);
        if (v == null) {
            return null;
        }
        try {
            String what = v.layout().word() + " volume, " + v.state();
            List<TrackContext> contexts = new ArrayList<>();
            for (PoolConfig.SnapshotRecord s : pool.snapshotCatalog.of(name)) {
                if (s.valid()) {
                    contexts.add(changedSince(name, s.name(), s.gen()));
                }
            }
            for (Pair p : pool.pairList()) {
                if (p.bcv() == v || p.std() == v) {
                    contexts.add(invalid(p));
                }
                if (p.bcv() == v) {
                    boolean writable = p.state() == PairState.Split || p.state() == PairState.NeverEstab;
                    return new Export(name, pool.device(name), !writable, what + ", BCV of pair " + p.name() + " ("
                            + p.state() + (writable ? ")" : ", read-only)"), contexts, v);
                }
                if (p.std() == v) {
                    what += ", STD of pair " + p.name() + " (" + p.state().described() + ")";
                }
            }
            return new Export(name, pool.device(name), false, what, contexts, v); // the volume object: one made again is another
        } catch (PoolException gone) {
            return null;
        }
    }

    /** {@code splitpoint:changed-since:SNAPSHOT} (generation {@code gen}): bit 0 for a track written since it was taken. */
    private TrackContext changedSince(String volume, String snapshot, long gen) {
        return new TrackContext() {
            @Override
            public String name() {
                return CHANGED_SINCE + snapshot;
            }

            @Override
            public int trackSize() {
                return pool.trackSize;
            }

            @Override
            public Flags now() throws IOException {
                requireSame();
                TrackBitmap written;
                try {
                    written = pool.snapshots().writtenSince(volume, snapshot);
                } catch (PoolException e) {
                    throw new IOException(e.getMessage(), e);
                }
                requireSame(); // not one deleted and taken again under the same name meanwhile
                return t -> t < written.size() && written.get(t) ? 1 : 0;
            }

            private void requireSame() throws IOException {
                PoolConfig.SnapshotRecord now = pool.snapshotCatalog.find(volume, snapshot);
                if (now == null || now.gen() != gen) {
                    throw new IOException("snapshot " + volume + "@" + snapshot + ", the one " + name() + " of this"
                            + " connection describes, was deleted; connect again for the contexts the volume offers now");
                }
            }
        };
    }

    /** {@code splitpoint:invalid}: bit 0 for a track invalid on the STD side, bit 1 on the BCV side. */
    private TrackContext invalid(Pair p) {
        return new TrackContext() {
            @Override
            public String name() {
                return INVALID;
            }

            @Override
            public int trackSize() {
                return p.trackSize();
            }

            @Override
            public Flags now() throws IOException {
                requireLive();
                TrackBitmap std = copy(p.stdInvalid().live());
                TrackBitmap bcv = copy(p.bcvInvalid().live());
                requireLive(); // not copied from bitmaps a deletion froze meanwhile
                return t -> t >= std.size() ? 0 : (std.get(t) ? 1 : 0) | (bcv.get(t) ? 2 : 0);
            }

            private void requireLive() throws IOException {
                if (pool.pairs.get(p.name()) != p) {
                    throw new IOException("pair " + p.name() + " was deleted: it tracks no invalid tracks any more;"
                            + " connect again for the contexts the volume offers now");
                }
            }
        };
    }

    private static TrackBitmap copy(TrackBitmap live) {
        TrackBitmap b = new TrackBitmap(live.size());
        b.loadWords(live.toWords());
        return b;
    }
}
