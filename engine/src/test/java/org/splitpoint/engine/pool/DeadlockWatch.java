package org.splitpoint.engine.pool;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A watch over a stress scene's threads: a cycle of monitors or locks ({@link
 * ThreadMXBean#findDeadlockedThreads}, which sees {@code synchronized} and {@code
 * java.util.concurrent} locks but not a thread in {@code Object.wait} for a notify that will not come)
 * and a stall (the scene's progress counter unmoved for {@code stallMillis} while it runs: the waits
 * the JVM cannot see, a member's monitor waited on for a force, a drain, a condition). On either it
 * prints every thread's stack with the locks held and waited for, once, and keeps the first finding
 * for {@link #stop}. Checks twice a second.
 */
final class DeadlockWatch implements AutoCloseable {

    private final String what;
    private final LongSupplier progress;
    private final long stallMillis;
    private final AtomicReference<String> finding = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopped;

    private DeadlockWatch(String what, LongSupplier progress, long stallMillis) {
        this.what = what;
        this.progress = progress;
        this.stallMillis = stallMillis;
        this.thread = new Thread(this::watch, "deadlock-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching; {@code progress} must move at least once every {@code stallMillis} while the scene runs. */
    static DeadlockWatch start(String what, LongSupplier progress, long stallMillis) {
        DeadlockWatch w = new DeadlockWatch(what, progress, stallMillis);
        w.thread.start();
        return w;
    }

    private void watch() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long last = progress.getAsLong();
        long movedAt = System.nanoTime();
        while (!stopped && finding.get() == null) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            long[] ids = mx.findDeadlockedThreads();
            if (ids != null) {
                StringBuilder names = new StringBuilder();
                for (ThreadInfo i : mx.getThreadInfo(ids)) {
                    if (i != null) {
                        names.append(' ').append(i.getThreadName()).append(" (waits for ").append(i.getLockName())
                                .append(" held by ").append(i.getLockOwnerName()).append(')');
                    }
                }
                found(what + ": deadlocked threads:" + names);
                return;
            }
            long now = progress.getAsLong();
            if (now != last) {
                last = now;
                movedAt = System.nanoTime();
            } else if (!stopped && System.nanoTime() - movedAt > stallMillis * 1_000_000L) {
                found(what + ": no progress for " + stallMillis / 1000 + " s (stuck at " + now + ")");
                return;
            }
        }
    }

    private void found(String f) {
        if (finding.compareAndSet(null, f)) {
            System.err.println("=== " + f);
            System.err.println(dump());
        }
    }

    /** Every thread's stack, with the monitors and locks it holds and the one it waits for. */
    static String dump() {
        StringBuilder b = new StringBuilder();
        for (ThreadInfo i : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            b.append('"').append(i.getThreadName()).append("\" ").append(i.getThreadState());
            if (i.getLockName() != null) {
                b.append(" on ").append(i.getLockName());
                if (i.getLockOwnerName() != null) {
                    b.append(" owned by \"").append(i.getLockOwnerName()).append('"');
                }
            }
            b.append('\n');
            StackTraceElement[] st = i.getStackTrace();
            for (int k = 0; k < st.length; k++) {
                b.append("    at ").append(st[k]).append('\n');
                for (var m : i.getLockedMonitors()) {
                    if (m.getLockedStackDepth() == k) {
                        b.append("      - locked ").append(m).append('\n');
                    }
                }
            }
            for (var s : i.getLockedSynchronizers()) {
                b.append("    holds ").append(s).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** The first finding so far, or null. */
    String finding() {
        return finding.get();
    }

    /** Stops watching; returns the first finding, or null. */
    String stop() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(5_000);
        return finding.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
