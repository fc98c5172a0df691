package org.splitpoint.app.testing;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/** A stand-in UI thread for view-model tests: posts queue up until the test drains them on its own thread. */
public final class ManualUi implements Executor {

    private final Queue<Runnable> posted = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable r) {
        posted.add(r);
    }

    /** Runs everything posted so far (and whatever that posts); returns how many ran. */
    public int drain() {
        int n = 0;
        for (Runnable r; (r = posted.poll()) != null; n++) {
            r.run();
        }
        return n;
    }

    public int pending() {
        return posted.size();
    }
}
