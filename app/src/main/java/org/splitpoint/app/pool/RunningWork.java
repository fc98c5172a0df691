package org.splitpoint.app.pool;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.app.jobs.JobRow;

/**
 * What runs in an open pool that leaving it (Quit, closing the window, opening another pool) would
 * stop: the built-in workloads, the background jobs with their progress, the NBD clients. Named for
 * the confirmation asked first; empty when nothing runs, and then nothing is asked. UI thread.
 */
public final class RunningWork {

    private RunningWork() {
    }

    /**
     * As {@link #of}, anew at each sample of the pool while it is observed (the Quit dialog, left open,
     * said "establish (2%)" while the Jobs list behind it went on to 4.2%).
     */
    public static javafx.beans.binding.ObjectBinding<List<String>> live(PoolViewModel vm) {
        return javafx.beans.binding.Bindings.createObjectBinding(() -> of(vm), vm.jobsProgressProperty(),
                vm.jobs().rows());
    }

    /**
     * "the verified workload on prod", "restore prod-pair (43.2%)", "NBD client 127.0.0.1:5123 using prod"; a
     * job's percentage as its row in the Jobs list shows it (the same rounding: one source for both).
     */
    public static List<String> of(PoolViewModel vm) {
        List<String> out = new ArrayList<>();
        for (String volume : vm.workloads().runningVolumes()) {
            out.add("the verified workload on " + volume);
        }
        for (JobRow j : vm.jobs().rows()) {
            out.add(j.titleProperty().get() + " (" + org.splitpoint.app.common.Format.percent(j.fractionProperty().get())
                    + (j.pausedProperty().get() ? ", paused" : "") + ")");
        }
        for (String client : vm.serve().connectedClients()) {
            out.add("NBD client " + client);
        }
        return out;
    }

    /** What leaving does to what {@link #of} named, one sentence about only those kinds. */
    public static String consequence(List<String> running) {
        List<String> parts = new ArrayList<>();
        if (running.stream().anyMatch(r -> r.startsWith("the verified workload"))) {
            parts.add("the workloads stop");
        }
        if (running.stream().anyMatch(r -> r.startsWith("NBD client"))) {
            parts.add("NBD clients are disconnected");
        }
        if (running.stream().anyMatch(r -> !r.startsWith("the verified workload") && !r.startsWith("NBD client"))) {
            parts.add("jobs stop at a checkpoint and resume when the pool is opened again");
        }
        String s = String.join("; ", parts);
        return s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1) + ".";
    }
}
