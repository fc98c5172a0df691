package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.splitpoint.engine.io.StorageFile;

/**
 * A redo journal that closes the RAID write hole for degraded parity writes.
 *
 * <p>Design. With a member missing, a torn update of a stripe's data and parity would corrupt the
 * missing member's reconstructed (and long since acknowledged) data. So a degraded stripe update is
 * first appended here as the full new content of every member segment it writes, and forced; only
 * then are the members written. A flush of the volume makes the members durable and retires the
 * journal by invalidating its first entry. At open, the entries of the current epoch are replayed in
 * order, which is idempotent. Each entry carries the epoch, a sequence number and a CRC32C, so a torn
 * tail or an entry left over from an earlier epoch ends the replay.
 */
final class StripeJournal implements AutoCloseable {

    private static final int MAGIC = 0x53504A31; // "SPJ1"
    private static final int HEADER = 32;

    /** One member write: rows [row, row+data.length) of member {@code member}. */
    record Segment(int member, long row, byte[] data) { }

    private final StorageFile file;
    private long epoch;
    private int seq;
    private long position;

    StripeJournal(StorageFile file) {
        this.file = file;
        this.epoch = new SecureRandom().nextLong();
    }

    /** Appends one stripe update and makes it durable. */
    synchronized void append(List<Segment> segments) throws IOException {
        int payload = 0;
        for (Segment s : segments) {
            payload += 14 + s.data.length;
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putLong(epoch).putInt(seq).putInt(segments.size()).putInt(payload);
        b.position(HEADER);
        for (Segment s : segments) {
            b.putShort((short) s.member).putLong(s.row).putInt(s.data.length).put(s.data);
        }
        b.putInt(24, crc(b.array(), HEADER + payload));
        b.flip();
        file.writeFully(position, b);
        file.force();
        position += HEADER + payload;
        seq++;
    }

    /** True when entries were appended since the last retire. */
    synchronized boolean isEmpty() {
        return position == 0;
    }

    /** Invalidates every entry (after the members they describe are durable). */
    synchronized void retire() throws IOException {
        if (position == 0) {
            return;
        }
        file.writeFully(0, ByteBuffer.allocate(4));
        file.force();
        position = 0;
        seq = 0;
        epoch++;
    }

    /** Invalidates whatever the file holds, even entries of an earlier run (after a replay). */
    synchronized void invalidate() throws IOException {
        if (file.size() >= 4) {
            file.writeFully(0, ByteBuffer.allocate(4));
            file.force();
        }
        position = 0;
        seq = 0;
    }

    /** Reads the valid entries of the journal's current epoch, in order. */
    synchronized List<List<Segment>> readEntries() throws IOException {
        List<List<Segment>> out = new ArrayList<>();
        long size = file.size();
        long pos = 0;
        long firstEpoch = 0;
        while (pos + HEADER <= size) {
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            file.readFully(pos, h);
            if (h.getInt(0) != MAGIC) {
                break;
            }
            long e = h.getLong(4);
            int s = h.getInt(12);
            int count = h.getInt(16);
            int payload = h.getInt(20);
            if (out.isEmpty()) {
                firstEpoch = e;
            }
            if (e != firstEpoch || s != out.size() || payload < 0 || pos + HEADER + payload > size) {
                break;
            }
            ByteBuffer all = ByteBuffer.allocate(HEADER + payload).order(ByteOrder.LITTLE_ENDIAN);
            file.readFully(pos, all);
            if (all.getInt(24) != crc(all.array(), HEADER + payload)) {
                break; // torn tail
            }
            all.position(HEADER);
            List<Segment> segs = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int member = all.getShort() & 0xffff;
                long row = all.getLong();
                byte[] data = new byte[all.getInt()];
                all.get(data);
                segs.add(new Segment(member, row, data));
            }
            out.add(segs);
            pos += HEADER + payload;
        }
        epoch = firstEpoch + 1;
        return out;
    }

    private static int crc(byte[] bytes, int len) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, 24);
        c.update(bytes, 28, len - 28);
        return (int) c.getValue();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
