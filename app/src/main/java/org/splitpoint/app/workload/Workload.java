package org.splitpoint.app.workload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.RateMeter;
import org.splitpoint.engine.pair.PairRefusedException;

/**
 * A built-in host: one thread doing reads and writes on a volume as a client would, through
 * {@code pool.device(volume)} (so pair tracking, mirroring and on-demand restore apply). Every write
 * is made of {@link BlockStamp} units and recorded in the {@link Expectations}; in verify mode every
 * read is checked against them. Paced to its rate by sleeping, never by spinning.
 */
public final class Workload {

    /** Where the workload gets its device, looked up per operation so a pair created later applies. */
    @FunctionalInterface
    public interface Devices {
        BlockDevice device(String volume) throws Exception;
    }

    private static final int RECENT = 4096;
    private static final System.Logger LOG = System.getLogger(Workload.class.getName());
    /** How long a stop waits for the operation in flight before giving up on it (and saying so). */
    static final long STOP_WAIT_MILLIS = 5000;

    private final String volume;
    private final Devices devices;
    private final Expectations expectations;
    private final SplittableRandom random = new SplittableRandom();
    private final long[] recent = new long[RECENT]; // offsets written lately: verify reads prefer them
    private int recentCount;
    private long cursor;
    private volatile WorkloadSettings settings;
    /**
     * Loop threads that have not ended yet: a stop waits for every one, also when another stop
     * already asked it to end (a Stop click joins on its own thread while the pool may close).
     */
    private final Set<Thread> live = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile Thread current; // the loop a start made last: an older one still ending does not go on
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong verified = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final RateMeter readRate = new RateMeter(3000);
    private final RateMeter writeRate = new RateMeter(3000);
    private volatile String lastProblem = "";

    public Workload(String volume, Devices devices, Expectations expectations, WorkloadSettings settings) {
        this.volume = volume;
        this.devices = devices;
        this.expectations = expectations;
        this.settings = settings;
    }

    public String volume() {
        return volume;
    }

    public WorkloadSettings settings() {
        return settings;
    }

    /** Takes effect from the next operation. */
    public void setSettings(WorkloadSettings s) {
        settings = s;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        Thread t = new Thread(this::loop, "splitpoint-workload-" + volume);
        t.setDaemon(true);
        live.add(t);
        current = t;
        t.start();
    }

    /**
     * Stops after the operation in flight and waits for it (bounded): when this returns, the
     * workload touches the volume no more, unless the wait ran out, which is logged. Waits also for
     * a loop another stop asked to end. Never by interrupting the thread: an interrupt during file
     * I/O closes the engine's FileChannel (ClosedByInterruptException) and the engine then fails the
     * drive. The pacing sleep is a monitor wait that stop() wakes.
     */
    public void stop() {
        requestStop();
        awaitStopped(System.nanoTime() + STOP_WAIT_MILLIS * 1_000_000L);
    }

    /** Asks the loop to end after the operation in flight, without waiting (any thread). */
    public synchronized void requestStop() {
        running = false;
        notifyAll();
    }

    /**
     * Waits until every loop thread has ended or {@code deadline} (System.nanoTime) passed; returns
     * whether they all ended. One still running at the deadline is logged by name and operation.
     */
    public boolean awaitStopped(long deadline) {
        boolean ended = true;
        for (Thread t : live) {
            if (t == Thread.currentThread()) {
                continue;
            }
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                ended = false;
                LOG.log(System.Logger.Level.WARNING, "the workload on " + volume + " did not stop within "
                        + STOP_WAIT_MILLIS / 1000 + " s; its operation in flight (" + t.getName() + ", at "
                        + (t.getStackTrace().length > 0 ? t.getStackTrace()[0] : "?") + ") may end after the pool closed");
            }
        }
        return ended;
    }

    public boolean isRunning() {
        return running;
    }

    private void loop() {
        try {
            run();
        } finally {
            live.remove(Thread.currentThread());
        }
    }

    private void run() {
        long start = System.nanoTime();
        long moved = 0;
        while (running && current == Thread.currentThread()) {
            try {
                WorkloadSettings s = settings;
                if (s.bytesPerSecond() > 0) {
                    long due = start + (long) (moved * 1e9 / s.bytesPerSecond());
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        pause(Math.max(1, Math.min(200, wait / 1_000_000L)));
                        continue;
                    }
                    if (-wait > 1_000_000_000L) { // fell behind (a pause, a slow disk): do not burst to catch up
                        start = System.nanoTime();
                        moved = 0;
                    }
                }
                moved += step();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                lastProblem = e.getMessage() == null ? e.toString() : e.getMessage();
                try {
                    pause(200); // the volume failed or the pool is closing: do not spin on errors
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Waits up to {@code millis}, or until stop() wakes it. */
    private synchronized void pause(long millis) throws InterruptedException {
        if (running) {
            wait(millis);
        }
    }

    /** One read or write; returns the bytes moved. Public for tests that drive it step by step. */
    public long step() throws Exception {
        WorkloadSettings s = settings;
        BlockDevice dev = devices.device(volume);
        long size = dev.size();
        boolean write = random.nextInt(100) >= s.readPercent();
        return expectations.io(volume, size, (expect, checkable) -> {
            long span = Math.min(size, expect.span()) / s.blockSize() * s.blockSize();
            if (span <= 0) {
                throw new IOException("volume " + volume + " is smaller than one " + s.blockSize() + "-byte block");
            }
            long offset = pick(s, span, write);
            ByteBuffer buf = ByteBuffer.allocate(s.blockSize());
            return write ? write(dev, expect, offset, buf) : read(dev, expect, offset, buf, s.verify() && checkable);
        });
    }

    private long pick(WorkloadSettings s, long span, boolean write) {
        long blocks = span / s.blockSize();
        if (!s.random()) {
            long at = cursor % blocks;
            cursor = at + 1;
            return at * s.blockSize();
        }
        if (!write && s.verify() && recentCount > 0 && random.nextInt(4) != 0) {
            long at = recent[random.nextInt(Math.min(recentCount, RECENT))];
            if (at + s.blockSize() <= span) {
                return at;
            }
        }
        return random.nextLong(blocks) * s.blockSize();
    }

    private long write(BlockDevice dev, VolumeExpect expect, long offset, ByteBuffer buf) throws IOException {
        int gen = expectations.nextGeneration();
        while (buf.hasRemaining()) {
            BlockStamp.fill(buf, offset + buf.position(), gen);
        }
        buf.flip();
        try {
            dev.write(offset, buf);
        } catch (PairRefusedException e) {
            refused.incrementAndGet();
            lastProblem = e.getMessage();
            return 0;
        } catch (IOException e) {
            for (int i = 0; i < buf.capacity(); i += BlockStamp.UNIT) {
                expect.set(offset + i, 0); // what landed is unknown now
            }
            throw e;
        }
        for (int i = 0; i < buf.capacity(); i += BlockStamp.UNIT) {
            expect.set(offset + i, gen);
        }
        recent[recentCount++ % RECENT] = offset;
        writes.incrementAndGet();
        bytesWritten.addAndGet(buf.capacity());
        writeRate.add(System.nanoTime(), buf.capacity());
        return buf.capacity();
    }

    private long read(BlockDevice dev, VolumeExpect expect, long offset, ByteBuffer buf, boolean check)
            throws IOException {
        dev.read(offset, buf);
        buf.flip();
        boolean checked = false;
        for (int i = 0; check && i < buf.capacity(); i += BlockStamp.UNIT) {
            int gen = expect.get(offset + i);
            if (gen == 0) {
                continue;
            }
            checked = true;
            buf.position(i);
            String wrong = BlockStamp.check(buf, offset + i, gen);
            if (wrong != null) {
                errors.incrementAndGet();
                lastProblem = wrong;
            }
        }
        if (checked) {
            verified.incrementAndGet();
        }
        reads.incrementAndGet();
        bytesRead.addAndGet(buf.capacity());
        readRate.add(System.nanoTime(), buf.capacity());
        return buf.capacity();
    }

    public WorkloadStats stats() {
        long now = System.nanoTime();
        return new WorkloadStats(running, reads.get(), writes.get(), bytesRead.get(), bytesWritten.get(),
                readRate.bytesPerSecond(now), writeRate.bytesPerSecond(now), verified.get(), errors.get(),
                refused.get(), lastProblem);
    }
}
