package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitpoint.engine.io.BufferStash;

/**
 * Gathers the pieces of one parity stripe that concurrent writes bring, so that the stripe is
 * written whole (no reads, parity from the new bytes alone) instead of as two reconstruct-writes
 * that each read the other's rows (a small version of md's stripe cache).
 *
 * <p>Design. A client streaming a volume in requests that are not whole stripes (nbdcopy's 256 KiB
 * against 4 drives' 192 KiB of data per stripe) leaves most stripes split between two neighbouring
 * requests in flight at the same time. Each write registers the range it will write ({@link
 * #enter}) and, under this object's lock, the position up to which it has handed out its pieces;
 * so a piece knows whether the rest of its stripe is still to come from writes in flight. Then it
 * is deposited ({@link #offer}) in the stripe's gather instead of written; the write goes on with
 * its other stripes and, at its end, waits for its gathers ({@link #await}). Most neighbours of a
 * stream have not reached the volume yet when a piece comes (they wait in the server's queue), so
 * a piece where a streaming-size write begins or ends inside a stripe is also deposited on a
 * prediction, while recent predictions came true (see {@link #offer}). The piece that
 * completes a gather commits it (writes the whole stripe), and the others return once it is done.
 * A gather not complete by its deadline (the partner failed, or wrote those bytes another way) is
 * closed by the first participant that sees the deadline pass and written with the reads its
 * missing bytes need, as without gathering; so is every open gather as soon as a flush or an
 * exclusive change waits for the writes in flight ({@link #barrier}), since later writes wait
 * behind it and a flush must not wait for a deadline.
 *
 * <p>Safety. Nothing here changes what is durable when: every participant had its write-intent
 * bits made durable before its piece came here (the volume does that before any layout work), the
 * committer writes through the volume's one stripe-update path (row locks, stripe journal when
 * degraded), and no participant returns, so no request is acknowledged, before the commit of every
 * gather that holds its bytes returned; a commit's failure is every participant's failure (a member
 * failure is retried by each of them, as for its own write). Waits hold no row lock, and a write
 * deposits all its pieces before it waits for any, so a wait ends when the partners' pieces arrive
 * or at the deadline, never in a cycle.
 */
final class StripeGather {

    /** How long a gathered piece waits for the rest of its stripe before it is written alone (by default). */
    static final long WAIT_NANOS = 50_000_000L;

    /** Speculation credit: a gather that came whole earns one, one that waited in vain costs this many. */
    private static final int MISS_COST = 8;
    private static final int MAX_CREDIT = 64;
    /** Without credit, one boundary piece in this many is gathered all the same, to notice a stream beginning. */
    private static final int PROBE_EVERY = 256;

    /** Writes the stripe of a closed gather (the volume's stripe update). */
    interface Committer {
        void commit(Gather g) throws IOException;
    }

    /** A write in progress: bytes [next, to) of the volume are still to be handed out as pieces. */
    static final class Writer {
        private final long to;
        private long next;

        private Writer(long from, long to) {
            this.next = from;
            this.to = to;
        }
    }

    /** The new bytes of one stripe gathered so far, by data strip, and which bytes they cover. */
    static final class Gather {
        final long stripe;
        /** New bytes of data strip k at its rows' offsets (null: nothing of that strip yet). */
        final ByteBuffer[] strips;
        /**
         * Opened by a page-aligned direct write (a pair copy's run): its strips are page-aligned direct
         * buffers, so the stripe's rows go around the page cache as that write's own would.
         */
        final boolean aroundPageCache;
        /** Covered bytes of the stripe's data, as sorted disjoint [from, to) ranges. */
        final List<int[]> covered = new ArrayList<>(2);
        private final int unit;
        private final long deadline;
        /** Opened on the prediction that the rest comes (no write in flight was known to bring it). */
        private boolean speculative;
        private boolean closed;
        private boolean done;
        private Throwable failure;

        private Gather(long stripe, int dataStrips, int unit, long waitNanos, boolean aroundPageCache) {
            this.stripe = stripe;
            this.strips = new ByteBuffer[dataStrips];
            this.aroundPageCache = aroundPageCache;
            this.unit = unit;
            this.deadline = System.nanoTime() + waitNanos;
        }

        private boolean overlaps(int from, int to) {
            for (int[] r : covered) {
                if (from < r[1] && r[0] < to) {
                    return true;
                }
            }
            return false;
        }

        private void add(int within, int len, ByteBuffer src) {
            int pos = within;
            int end = within + len;
            while (pos < end) {
                int k = pos / unit;
                int o = pos - k * unit;
                int n = Math.min(unit - o, end - pos);
                if (strips[k] == null) {
                    strips[k] = aroundPageCache ? STRIPS.take(unit) : ByteBuffer.allocate(unit);
                }
                strips[k].put(o, src, src.position(), n);
                src.position(src.position() + n);
                pos += n;
            }
            covered.add(new int[] {within, end});
            covered.sort((a, b) -> Integer.compare(a[0], b[0]));
            List<int[]> merged = new ArrayList<>(covered.size());
            for (int[] r : covered) {
                int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && r[0] <= last[1]) {
                    last[1] = Math.max(last[1], r[1]);
                } else {
                    merged.add(new int[] {r[0], r[1]});
                }
            }
            covered.clear();
            covered.addAll(merged);
        }

        private boolean full() {
            return covered.size() == 1 && covered.get(0)[0] == 0 && covered.get(0)[1] == strips.length * unit;
        }
    }

    /** What became of an offered piece: deposited to wait for, or deposited and to be committed now. */
    record Offer(Gather gather, boolean commitNow) { }

    /** Strips of gathers opened by page-aligned direct writes, shared by every volume (see {@link BufferStash}). */
    private static final BufferStash STRIPS = new BufferStash(true, 16L << 20);

    private final int unit;
    private final int dataStrips;
    private final long stripeData;
    private final long volumeSize;
    private final long waitNanos;
    private final List<Writer> writers = new ArrayList<>();
    private final Map<Long, Gather> open = new HashMap<>();
    /** Barriers (a flush, an exclusive change) waiting for the writes in flight: no gather waits then. */
    private int barriers;
    private int credit = MAX_CREDIT / 8;
    private long probes;
    /** Gathers written whole, and gathers that waited until their deadline (for tests and notes). */
    private long whole;
    private long missed;

    StripeGather(StripeGeometry geo, long waitNanos) {
        this.waitNanos = waitNanos;
        this.unit = geo.unit;
        this.dataStrips = geo.dataStrips;
        this.stripeData = geo.stripeData;
        this.volumeSize = geo.size;
    }

    /** Registers a write of volume bytes [from, to) that is about to hand out its pieces in ascending order. */
    synchronized Writer enter(long from, long to) {
        Writer w = new Writer(from, to);
        writers.add(w);
        return w;
    }

    /** The write has handed out everything (or gave up): it brings nothing more. */
    synchronized void leave(Writer w) {
        writers.remove(w);
    }

    /**
     * Offers the piece [within, within+len) of stripe {@code s} from {@code src} (consumed when
     * taken). Returns null when it is not gathered (the caller writes it as before, {@code src}
     * untouched): no open gather takes it, the rest of the stripe is not known to be still to come
     * from writes in flight, and it is not predicted to come. {@code boundary}: the piece is where a
     * streaming-size write begins or ends inside a stripe, so the rest may come from the write just
     * before or after it that has not reached the volume yet (queued in the server): such a piece is
     * gathered while recent predictions came true (each whole gather earns credit, each one that
     * waited in vain costs more), and one in {@value #PROBE_EVERY} is gathered without credit, so a
     * stream beginning is noticed. Random writes thus pay a wait rarely, a stream almost never.
     */
    synchronized Offer offer(Writer w, long s, int within, int len, ByteBuffer src, boolean boundary) {
        long stripeStart = s * stripeData;
        w.next = Math.max(w.next, stripeStart + within + len);
        if (stripeStart + stripeData > volumeSize) {
            return null; // the volume's last stripe ends early: never whole
        }
        Gather g = open.get(s);
        if (g != null) {
            if (g.overlaps(within, within + len)) {
                return null; // two writes of the same bytes in flight: no order between them to keep
            }
            g.add(within, len, src);
            if (g.full()) {
                g.closed = true;
                open.remove(s);
                whole++;
                if (g.speculative) {
                    credit = Math.min(MAX_CREDIT, credit + 1);
                }
                return new Offer(g, true);
            }
            return new Offer(g, false);
        }
        if (barriers > 0) {
            return null; // the writes that would bring the rest wait behind the barrier, which waits for this one
        }
        boolean known = stillToCome(w, stripeStart, stripeStart + within)
                && stillToCome(w, stripeStart + within + len, stripeStart + stripeData);
        boolean predicted = !known && boundary && (credit > 0 || ++probes % PROBE_EVERY == 0);
        if (!known && !predicted) {
            return null;
        }
        g = new Gather(s, dataStrips, unit, waitNanos,
                BufferStash.pageAligned(src));
        g.speculative = predicted;
        g.add(within, len, src);
        open.put(s, g);
        return new Offer(g, false);
    }

    /** True when volume bytes [from, to) are all still to be handed out by writes other than {@code self}. */
    private boolean stillToCome(Writer self, long from, long to) {
        long pos = from;
        while (pos < to) {
            long reach = -1;
            for (Writer o : writers) {
                if (o != self && o.next <= pos && pos < o.to) {
                    reach = Math.max(reach, o.to);
                }
            }
            if (reach < 0) {
                return false;
            }
            pos = reach;
        }
        return true;
    }

    /**
     * Returns once the gather's stripe is written: committed by the piece that completed it, or, at
     * the deadline, by this thread (through {@code committer}, with the reads its missing bytes
     * need). Rethrows the commit's failure.
     */
    void await(Gather g, Committer committer) throws IOException {
        settle(g, committer, false);
    }

    /** As {@link #await} without waiting for the deadline: the caller's write failed, its gathers are closed now. */
    void settleNow(Gather g, Committer committer) throws IOException {
        settle(g, committer, true);
    }

    /** Commits a gather this thread closed, and tells everyone waiting for it how that went. */
    void commit(Gather g, Committer committer) throws IOException {
        try {
            committer.commit(g);
            STRIPS.giveAll(g.strips); // written: nothing reads a gather's strips after its commit
            finish(g, null);
        } catch (IOException | RuntimeException | Error e) {
            finish(g, e);
            throw e;
        }
    }

    private void settle(Gather g, Committer committer, boolean now) throws IOException {
        boolean mine = false;
        boolean interrupted = false;
        synchronized (this) {
            while (!g.done) {
                if (!g.closed) {
                    long left = g.deadline - System.nanoTime();
                    if (now || left <= 0 || barriers > 0) {
                        g.closed = true;
                        open.remove(g.stripe, g);
                        mine = true;
                        boolean inVain = !now && left <= 0;
                        missed += inVain ? 1 : 0;
                        if (g.speculative && inVain) {
                            credit = Math.max(0, credit - MISS_COST); // the rest did not come: predict less
                        }
                        break;
                    }
                    try {
                        wait(Math.max(1, left / 1_000_000), 0);
                    } catch (InterruptedException e) {
                        interrupted = true; // waited out all the same: the deadline bounds it
                    }
                } else {
                    try {
                        wait(); // its committer is writing it now
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (mine) {
            commit(g, committer);
            return;
        }
        Throwable f = g.failure;
        if (f instanceof IOException e) {
            throw e;
        }
        if (f instanceof RuntimeException e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
    }

    /**
     * A flush or an exclusive change of the volume waits ({@code waiting}) for the writes in flight, or
     * got them: while one waits, open gathers are written as they are (with reads) and no new one is
     * opened, since the writes that would complete them are held behind the barrier.
     */
    synchronized void barrier(boolean waiting) {
        barriers += waiting ? 1 : -1;
        notifyAll();
    }

    private synchronized void finish(Gather g, Throwable failure) {
        g.failure = failure;
        g.done = true;
        notifyAll();
    }

    /** Gathers open now, gathers written whole, gathers that waited until their deadline (tests, profiles). */
    synchronized long[] counts() {
        return new long[] {open.size(), whole, missed};
    }
}
