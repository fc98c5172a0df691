package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Verify and repair of parity rows (md's check/repair): reads every member's rows, recomputes each
 * stripe's parity from its data strips, counts the 512-byte sectors that differ and, when asked,
 * rewrites the parity. Resync after a crash is a repair of the dirty tracks. A repair writes no
 * parity once a drive lost writes at a failed flush since it began: the data strips it read may
 * hold a dropped write's old bytes ({@link RaidVolume#refuseRepairWriteAfterLoss}).
 */
final class ParityCheck {

    private ParityCheck() {
    }

    /**
     * Counts (and with a {@code repair}, run before each write, rewrites) parity strips that
     * disagree with their data, in rows [from, to).
     */
    static long check(ParityVolume v, Member[] members, int unit, long from, long to, RaidVolume.IoAction repair)
            throws IOException {
        int len = (int) (to - from);
        int n = members.length;
        byte[][] rows = new byte[n][];
        for (int m = 0; m < n; m++) {
            if (!members[m].holds(from, to)) {
                return 0; // cannot check a stripe with a member absent
            }
            rows[m] = RaidVolume.readMember(members[m], from, len);
        }
        long mismatches = 0;
        long s0 = from / unit;
        long s1 = (to + unit - 1) / unit;
        for (long s = s0; s < s1; s++) {
            int a = (int) (Math.max(from, s * unit) - from);
            int b = (int) (Math.min(to, (s + 1) * unit) - from);
            int p = v.parityMember(s);
            byte[] expect = new byte[b - a];
            for (int m = 0; m < n; m++) {
                if (m != p) {
                    Xor.into(expect, 0, rows[m], a, b - a);
                }
            }
            boolean fix = false;
            for (int x = 0; x < b - a; x += 512) {
                int e = Math.min(b - a, x + 512);
                if (!Arrays.equals(expect, x, e, rows[p], a + x, a + e)) {
                    mismatches++;
                    fix = true;
                }
            }
            if (fix && repair != null) {
                repair.run(); // a data strip read may be the old bytes of a write a failed flush dropped
                members[p].write(from + a, ByteBuffer.wrap(expect));
            }
        }
        return mismatches;
    }
}
