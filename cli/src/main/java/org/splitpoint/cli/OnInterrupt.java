package org.splitpoint.cli;

/**
 * Runs a command's body with something to do if the process is interrupted meanwhile (Ctrl-C, a
 * kill): a shutdown hook for the body's duration only. When the body returns during the shutdown
 * the hook stays: it runs anyway.
 */
final class OnInterrupt {

    private OnInterrupt() {
    }

    /** A body that returns a value and may throw {@code E}. */
    interface Body<T, E extends Exception> {
        T call() throws E;
    }

    static <T, E extends Exception> T run(Runnable onInterrupt, Body<T, E> body) throws E {
        Thread hook = new Thread(onInterrupt, "splitpoint-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return body.call();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs
            }
        }
    }
}
