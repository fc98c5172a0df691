package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.splitpoint.engine.raid.RaidVolume.IoAction;

/**
 * A parity member's rows as the XOR of every other member's: what a read of a missing member
 * returns, what a partial write over a missing data strip takes for its old bytes, and what a
 * rebuild or a service resync writes.
 *
 * <p>Design. Parity is a row-wise XOR, so any one member's rows are the XOR of all the others',
 * whatever the member's role in each stripe: no geometry is needed here. Large reconstructions
 * (rebuild steps) read the other members at once, into buffers each thread reuses; a resync of
 * scattered tracks reads all of a batch on each member's thread, one hand-off per batch. A
 * reconstruction needs every other member to hold the rows, else it fails as a member failure does.
 */
final class ParityReconstruction {

    /** Each thread's rebuild buffers, one set for every volume (rebuilds run on their jobs' threads). */
    private static final ThreadLocal<byte[][]> REBUILD_BUFFERS = new ThreadLocal<>();

    private final String name;
    private final Member[] members;

    ParityReconstruction(String name, Member[] members) {
        this.name = name;
        this.members = members;
    }

    /** Rows [row, row+len) of {@code missing}, recomputed from every other member. */
    byte[] xorOfOthers(Member missing, long row, int len) throws IOException {
        List<Member> others = new ArrayList<>();
        for (Member m : members) {
            if (m == missing) {
                continue;
            }
            if (!m.holds(row, row + len)) {
                throw cannotReconstruct(missing, m);
            }
            others.add(m);
        }
        byte[][] rows = new byte[others.size()][];
        List<IoAction> reads = new ArrayList<>();
        for (int i = 0; i < others.size(); i++) {
            int at = i;
            reads.add(() -> rows[at] = RaidVolume.readMember(others.get(at), row, len));
        }
        if (len >= 64 * 1024) {
            MemberIo.all(reads); // large (rebuild): all members at once
        } else {
            for (IoAction r : reads) {
                r.run();
            }
        }
        byte[] acc = rows[0];
        for (int i = 1; i < rows.length; i++) {
            Xor.into(acc, 0, rows[i], 0, len);
        }
        return acc;
    }

    /** Recomputes rows [from, to) of {@code target} from every other member (read at once, into reused buffers) and writes them. */
    void reconstructRows(Member target, long from, long to) throws IOException {
        // the other members are read in parallel into buffers reused from step to step, then XORed
        int len = (int) (to - from);
        int n = members.length;
        byte[][] bufs = REBUILD_BUFFERS.get();
        if (bufs == null || bufs.length != n || bufs[0].length < len) {
            bufs = new byte[n][len];
            REBUILD_BUFFERS.set(bufs);
        }
        List<IoAction> reads = new ArrayList<>(n - 1);
        for (int i = 0; i < n; i++) {
            Member m = members[i];
            if (m == target) {
                continue;
            }
            if (!m.holds(from, to)) {
                throw cannotReconstruct(target, m);
            }
            ByteBuffer b = ByteBuffer.wrap(bufs[i], 0, len);
            reads.add(() -> m.read(from, b));
        }
        MemberIo.all(reads);
        byte[] acc = bufs[target.index()];
        Arrays.fill(acc, 0, len, (byte) 0);
        for (int i = 0; i < n; i++) {
            if (members[i] != target) {
                Xor.into(acc, 0, bufs[i], 0, len);
            }
        }
        target.write(from, ByteBuffer.wrap(acc, 0, len));
    }

    /** Each other member reads every range on one thread; then each range is XORed and written. */
    void reconstructRanges(Member target, List<long[]> ranges) throws IOException {
        int n = members.length;
        int total = 0;
        for (long[] r : ranges) {
            total += (int) (r[1] - r[0]);
        }
        byte[][] bufs = new byte[n][];
        List<IoAction> reads = new ArrayList<>(n - 1);
        for (int i = 0; i < n; i++) {
            Member m = members[i];
            if (m == target) {
                continue;
            }
            for (long[] r : ranges) {
                if (!m.holds(r[0], r[1])) {
                    throw cannotReconstruct(target, m);
                }
            }
            byte[] b = new byte[total];
            bufs[i] = b;
            reads.add(() -> {
                int at = 0;
                for (long[] r : ranges) {
                    int len = (int) (r[1] - r[0]);
                    m.read(r[0], ByteBuffer.wrap(b, at, len));
                    at += len;
                }
            });
        }
        MemberIo.all(reads);
        byte[] acc = new byte[total];
        for (int i = 0; i < n; i++) {
            if (bufs[i] != null) {
                Xor.into(acc, 0, bufs[i], 0, total);
            }
        }
        int at = 0;
        for (long[] r : ranges) {
            int len = (int) (r[1] - r[0]);
            target.write(r[0], ByteBuffer.wrap(acc, at, len));
            at += len;
        }
    }

    /** A reconstruction of {@code target} that needs {@code absent}'s rows too: the volume is beyond its redundancy there. */
    private Member.FailedException cannotReconstruct(Member target, Member absent) {
        return new Member.FailedException("volume " + name + " cannot reconstruct " + target.drive()
                + ": " + absent.drive() + " is " + absent.state() + " too", null);
    }
}
