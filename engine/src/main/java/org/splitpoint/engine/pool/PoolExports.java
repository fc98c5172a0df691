package org.splitpoint.engine.pool;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.nbd.Export;
import org.splitpoint.engine.nbd.ExportCatalog;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The pool's volumes as NBD exports, named after the volumes, and their valid snapshots as
 * read-only exports named {@code VOLUME@NAME} (the save area is not exported). A pair's BCV is independently
 * addressable (seed 004 claims 8, 21): read-write while the pair is split, read-only while it is
 * established or restoring (its writes would then get EPERM anyway).
 */
public final class PoolExports implements ExportCatalog {

    private final Pool pool;

    public PoolExports(Pool pool) {
        this.pool = pool;
    }

    @Override
    public List<Export> list() {
        List<String> names;
        synchronized (pool.volumes) {
            names = new ArrayList<>(pool.volumes.keySet());
        }
        List<Export> out = new ArrayList<>();
        for (String n : names) {
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
        if (name.indexOf('@') > 0) {
            try {
                SnapshotAdmin.Info i = pool.snapshots().get(name.substring(0, name.indexOf('@')),
                        name.substring(name.indexOf('@') + 1));
                return new Export(name, pool.snapshots().reader(name), true, "snapshot of " + i.volume() + " taken "
                        + i.createdAt() + ", read-only");
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
            for (Pair p : pool.pairList()) {
                if (p.bcv() == v) {
                    boolean writable = p.state() == PairState.Split || p.state() == PairState.NeverEstab;
                    return new Export(name, pool.device(name), !writable, what + ", BCV of pair " + p.name() + " ("
                            + p.state() + (writable ? ")" : ", read-only)"));
                }
                if (p.std() == v) {
                    what += ", STD of pair " + p.name() + " (" + p.state() + ")";
                }
            }
            return new Export(name, pool.device(name), false, what);
        } catch (PoolException gone) {
            return null;
        }
    }
}
