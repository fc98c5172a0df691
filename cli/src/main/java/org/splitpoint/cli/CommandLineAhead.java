package org.splitpoint.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A holder's next command set, built ahead on a thread of its own, so that a forwarded command does
 * not wait for it.
 *
 * <p>Why. The process holding a pool answers each forwarded command with a fresh picocli command set
 * (a parse keeps its values in it, and commands from several clients may run at once). Building one
 * reflects over every command class: 15-100 ms in a serve process on a loaded machine, against 8-40 ms
 * for the split it then ran ('pair split' forwarded to serve: 47-140 ms in the holder, of which the
 * split itself 8-39). Each built one is still used once, by one command: {@link #take} hands it over,
 * and {@link #buildNext}, once the command ended, starts the next (not beside the command, whose CPU
 * it would take on a small machine). A take that finds the next one still being built waits for it
 * (no later than building it there); two takes at once leave the second to build its own, as before;
 * a build that failed is done again on the caller's thread, where its failure is the command's.
 */
final class CommandLineAhead<T> {

    private final Supplier<T> build;
    private final AtomicReference<CompletableFuture<T>> next = new AtomicReference<>();

    /** Starts building the first one now. */
    CommandLineAhead(Supplier<T> build) {
        this.build = build;
        buildNext();
    }

    /** A command set no one else gets: the one built ahead, or one built now. */
    T take() {
        CompletableFuture<T> ahead = next.getAndSet(null);
        if (ahead != null) {
            try {
                return ahead.join();
            } catch (RuntimeException e) {
                // built again below, where its failure reaches the command
            }
        }
        return build.get();
    }

    /** Starts building the next one, unless one is built or being built already. */
    void buildNext() {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (!next.compareAndSet(null, f)) {
            return; // one is being built already
        }
        Thread t = new Thread(() -> {
            try {
                f.complete(build.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        }, "splitpoint-next-command");
        t.setDaemon(true); // never keeps a holder's JVM alive
        t.start();
    }
}
