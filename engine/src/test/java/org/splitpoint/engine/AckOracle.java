package org.splitpoint.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-byte oracle of the crash tests: the writes to a device (or one side of a pair), in
 * order, with the ticks that decide what was acknowledged. A write is recorded before it is issued
 * (one in flight when the power goes may land in part) and gets its tick when it returned; a flush
 * that began at tick T acknowledges every write that returned before T. After a crash each byte
 * must hold its last acknowledged value, or the value of a later write.
 *
 * <p>The writes to one byte must be ordered: tests give each writer thread its own region.
 */
public final class AckOracle {

    private final byte[] initial;
    private final byte[] current;
    private final List<long[]> meta = new ArrayList<>(); // {offset, tick}
    private final List<byte[]> data = new ArrayList<>();
    private long ackedBefore;

    public AckOracle(byte[] initial) {
        this.initial = initial.clone();
        this.current = initial.clone();
    }

    /**
     * Records a write before it is issued (a write in flight when the power goes may land in
     * part); {@code tick} is when it returned, Long.MAX_VALUE until then. Returns its index.
     */
    public synchronized int wrote(long offset, byte[] d, long tick) {
        System.arraycopy(d, 0, current, (int) offset, d.length);
        meta.add(new long[] {offset, tick});
        data.add(d);
        return meta.size() - 1;
    }

    /** The write at {@code index} returned at {@code tick}. */
    public synchronized void returned(int index, long tick) {
        meta.get(index)[1] = tick;
    }

    /**
     * The device as it is now, for a snapshot taken now (no write in flight): the same writes and
     * acknowledgements so far, and later flushes acknowledge its writes too (a flush makes durable
     * what a snapshot reads from the volume).
     */
    public synchronized AckOracle copy() {
        AckOracle c = new AckOracle(initial);
        for (int i = 0; i < meta.size(); i++) {
            c.wrote(meta.get(i)[0], data.get(i), meta.get(i)[1]);
        }
        c.ackedBefore = ackedBefore;
        return c;
    }

    public synchronized void flushed(long startTick) {
        ackedBefore = Math.max(ackedBefore, startTick);
    }

    public synchronized byte[] currentCopy() {
        return current.clone();
    }

    public synchronized byte[] currentRange(int off, int len) {
        byte[] b = new byte[len];
        System.arraycopy(current, off, b, 0, len);
        return b;
    }

    /** Null when {@code got} is a state the acknowledged writes allow, else the first offense. */
    public synchronized String check(byte[] got) {
        return check(0, got);
    }

    /**
     * As {@link #check(byte[])} for the device's bytes [from, from + got.length) only (a host's read
     * while writes go on: each byte its last acknowledged value or a later write's).
     */
    public synchronized String check(int from, byte[] got) {
        byte[] base = initial.clone();
        for (int i = 0; i < meta.size(); i++) {
            if (meta.get(i)[1] < ackedBefore) {
                System.arraycopy(data.get(i), 0, base, (int) meta.get(i)[0], data.get(i).length);
            }
        }
        for (int b = from; b < from + got.length; b++) {
            if (got[b - from] == base[b]) {
                continue;
            }
            boolean ok = false;
            for (int i = meta.size() - 1; i >= 0; i--) {
                long off = meta.get(i)[0];
                byte[] d = data.get(i);
                if (b < off || b >= off + d.length) {
                    continue;
                }
                if (d[(int) (b - off)] == got[b - from]) {
                    ok = true;
                    break;
                }
                if (meta.get(i)[1] < ackedBefore) {
                    break; // the last acknowledged write to this byte: nothing older counts
                }
            }
            if (!ok) {
                StringBuilder h = new StringBuilder();
                for (int i = 0; i < meta.size(); i++) {
                    long off = meta.get(i)[0];
                    byte[] d = data.get(i);
                    if (b >= off && b < off + d.length) {
                        h.append(" [tick ").append(meta.get(i)[1]).append(" value ").append(d[(int) (b - off)])
                                .append(" at ").append(off).append("+").append(d.length).append("]");
                    }
                }
                return "byte " + b + " (track of 4 KiB " + b / 4096 + ") reads " + got[b - from] + "; acknowledged " + base[b]
                        + " (initial " + initial[b] + ", acknowledged before tick " + ackedBefore + "; writes:" + h + ")";
            }
        }
        return null;
    }

    /**
     * The power went (or the process died) and the device is opened again: a write not acknowledged
     * now never will be, whatever flushes come after the reopen. Those flush only what the new
     * opening wrote, and their ticks come from another clock, which would otherwise pass the lost
     * writes' ticks and call them acknowledged (a snapshot's oracle kept across openings:
     * SnapshotOfUnflushedWritesCutTest).
     */
    public synchronized void crashed() {
        for (long[] m : meta) {
            if (m[1] >= ackedBefore) {
                m[1] = Long.MAX_VALUE;
            }
        }
    }

    /** Every write is acknowledged (the image as it stands is what must be there). */
    public synchronized void allAcknowledged() {
        ackedBefore = Long.MAX_VALUE;
    }

    /** Bytes of the device. */
    public int size() {
        return current.length;
    }
}
