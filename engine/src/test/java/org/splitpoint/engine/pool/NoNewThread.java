package org.splitpoint.engine.pool;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a call with the next thread it makes refused, as a JVM out of native threads refuses it
 * (OutOfMemoryError: unable to create native thread). A SecurityManager (JDK 17, the target; 18+
 * needs -Djava.security.manager=allow) refuses only a thread made by the call's own thread.
 */
@SuppressWarnings("removal")
final class NoNewThread extends SecurityManager {

    /** The call run with its next thread refused. */
    interface Call {
        void run() throws Exception;
    }

    private static final String CALLER = "restorer";
    private final AtomicBoolean armed = new AtomicBoolean(true);
    private final boolean jobsOnly;

    private NoNewThread(boolean jobsOnly) {
        this.jobsOnly = jobsOnly;
    }

    /** Runs {@code call} with its next thread refused (its next job's thread only when {@code jobsOnly}); returns what it threw. */
    static Throwable refusing(boolean jobsOnly, Call call) throws Exception {
        System.setSecurityManager(new NoNewThread(jobsOnly));
        try {
            CompletableFuture<Throwable> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    call.run();
                    f.complete(null);
                } catch (Throwable e) {
                    f.complete(e);
                }
            }, CALLER);
            t.start();
            return f.get();
        } finally {
            System.setSecurityManager(null);
        }
    }

    @Override
    public void checkPermission(java.security.Permission perm) {
    }

    @Override
    public void checkAccess(ThreadGroup g) {
        if (Thread.currentThread().getName().equals(CALLER) && (!jobsOnly || startingAJob()) && armed.compareAndSet(true, false)) {
            throw new OutOfMemoryError("unable to create native thread (injected)");
        }
    }

    private static boolean startingAJob() {
        return StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getClassName().equals("org.splitpoint.engine.job.Job")
                && f.getMethodName().equals("start")));
    }
}
