package org.splitpoint.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.pool.OneLine;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Sizes;

/** Plain-text tables with columns padded to their widest cell (escaped first: {@link OneLine}). */
final class Tables {

    private Tables() {
    }

    static void print(PrintWriter out, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        rows = rows.stream().map(r -> java.util.Arrays.stream(r).map(OneLine::of).toArray(String[]::new)).toList();
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : String.format("%-" + w[i] + "s  ", r[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    static void drives(PrintWriter out, PoolSnapshot s) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"DRIVE", "STATE", "SIZE", "VOLUME", "NOTE"});
        for (PoolSnapshot.DriveView d : s.drives()) {
            String note = d.service() != null ? d.service().reason().word() + ", " + d.service().logMode().word() + " log: "
                    + Sizes.count(d.service().deltaTracks(), "track") + ", " + Sizes.format(d.service().deltaBytes())
                    + ("resync".equals(d.service().phase()) ? " (coming back)" : "")
                    : d.repository() != null ? "repository of " + d.repository()
                    : d.reason() != null ? "reason: " + d.reason().word()
                    : d.rebuildPercent() >= 0 ? String.format("rebuilt %.1f%%", d.rebuildPercent())
                    : d.journal() != null ? "journal of " + d.journal() : "";
            rows.add(new String[] {d.name(), d.state().name(), Sizes.format(d.size()),
                    d.volume() == null ? "-" : d.volume(), note});
        }
        print(out, rows);
    }

    /** A volume's drives in member order, and which one holds its parity where one drive holds it all (RAID 3). */
    static String drivesOf(PoolSnapshot.VolumeView v) {
        String parity = v.parityDrive();
        return String.join(",", v.drives()) + (parity == null ? "" : " (parity on " + parity + ")");
    }

    static void volumes(PrintWriter out, PoolSnapshot s) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VOLUME", "LAYOUT", "STATE", "SIZE", "DRIVES", "REASON", "STRIPE JOURNAL", "BACKUP"});
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            String backup = v.restore() != null
                    ? (v.restore().waiting() != null ? "restore from " + v.restore().image() + " waits for its store"
                    : String.format("restoring from %s: %.0f%%", v.restore().image(), 100 * v.restore().fraction()))
                    : v.lastBackup() == null ? "" : "last " + v.lastBackup();
            String reason = v.stateReason() + (v.lostTracks().isEmpty() ? "" : (v.stateReason().isEmpty() ? "" : "; ")
                    + Sizes.count(v.lostTracks().size(), "track") + " lost");
            PoolSnapshot.StripeJournalView j = v.stripeJournal();
            String journal = j == null ? "-" : Sizes.format(j.liveBytes()) + " of " + Sizes.format(j.capacity());
            rows.add(new String[] {v.name(), v.layout().word(), v.state().name() + (v.problems().isEmpty() ? "" : " (problem)"),
                    Sizes.format(v.size()), drivesOf(v), reason, journal, backup});
        }
        print(out, rows);
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            v.problems().forEach(p -> out.println("problem: " + p.sentence()));
        }
    }
}
