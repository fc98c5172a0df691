package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Predicate;

/** For lock-order tests: waiting until threads stand where a scene needs them, and showing where stuck ones wait. */
final class StuckThreads {

    private StuckThreads() {
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits (up to 20 s, else fails naming {@code what}) until {@code c} holds, then a little more: settled where it waits. */
    static void awaitTrue(Condition c, String what) throws Exception {
        long until = System.nanoTime() + 20_000_000_000L;
        while (!c.holds()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(until);
            Thread.sleep(5);
        }
        Thread.sleep(100);
    }

    interface Action {
        void run() throws Exception;
    }

    /** Starts {@code action} on a thread named {@code name}; its failure, the first of them, goes into {@code failed}. */
    static Thread start(String name, Action action, java.util.concurrent.atomic.AtomicReference<Throwable> failed) {
        Thread t = new Thread(() -> {
            try {
                action.run();
            } catch (Throwable e) {
                failed.compareAndSet(null, e);
            }
        }, name);
        t.start();
        return t;
    }

    /**
     * Waits up to 20 s for each of {@code threads}; false when one is still alive, after printing
     * the stacks of the threads {@code shown} accepts (the stuck ones and those they wait for).
     */
    static boolean finished(Predicate<String> shown, Thread... threads) throws InterruptedException {
        boolean stuck = false;
        for (Thread t : threads) {
            t.join(20_000);
            stuck |= t.isAlive();
        }
        if (stuck) {
            dump(shown);
        }
        return !stuck;
    }

    /** True when {@code t} waits (see {@link #waiting}) inside a method named {@code method}. */
    static boolean waitsIn(Thread t, String method) {
        return waiting(t) && java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method));
    }

    /** Waits up to 10 s until the thread named {@code name} waits inside {@code method}; fails else. */
    static void awaitWaitingIn(String name, String method) throws InterruptedException {
        long until = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < until) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals(name) && waitsIn(t, method)) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError(name + " did not come to wait in " + method + " within 10 s");
    }

    /** True when {@code t} waits (on a lock, a monitor or a condition). */
    static boolean waiting(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
    }

    /** Prints the stacks of the threads whose names {@code names} accepts, to the test's output. */
    static void dump(Predicate<String> names) {
        for (var e : Thread.getAllStackTraces().entrySet()) {
            if (names.test(e.getKey().getName())) {
                System.err.println("--- " + e.getKey().getName() + " " + e.getKey().getState());
                for (StackTraceElement el : e.getValue()) {
                    System.err.println("    at " + el);
                }
            }
        }
    }
}
