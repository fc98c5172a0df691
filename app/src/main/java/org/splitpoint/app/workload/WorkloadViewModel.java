package org.splitpoint.app.workload;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import org.splitpoint.app.common.ActionStatus;

/**
 * One volume's built-in host workload: its settings (read share, block size, rate, pattern, verify),
 * start and stop, and its live counters — "verified 1,234 blocks, 0 errors". Settings apply to a
 * running workload at once. UI thread only; the I/O runs on the workload's own thread.
 */
public final class WorkloadViewModel {

    /** Block sizes offered. */
    public static final int[] BLOCK_SIZES = {4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20};
    /** Rates offered, in bytes per second (0 = unlimited). */
    public static final long[] RATES = {500_000, 2_000_000, 10_000_000, 50_000_000, 0};

    private final Workload workload;
    private final ActionStatus status;

    // ---- properties
    private final IntegerProperty readPercent = new SimpleIntegerProperty();
    private final IntegerProperty blockSize = new SimpleIntegerProperty();
    private final LongProperty rate = new SimpleLongProperty();
    private final BooleanProperty random = new SimpleBooleanProperty();
    private final BooleanProperty verify = new SimpleBooleanProperty();
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper verifyLine = new ReadOnlyStringWrapper(WorkloadStats.NONE.verifyLine());
    private final ReadOnlyStringWrapper ioLine = new ReadOnlyStringWrapper("not running");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyLongWrapper errors = new ReadOnlyLongWrapper();
    private final ReadOnlyBooleanWrapper errorsStand = new ReadOnlyBooleanWrapper();
    private boolean problemStands; // the volume's workload-errors problem, as the last snapshot had it
    private long errorsAtRepair; // the count when a repair last cleared that problem: history since
    private java.time.Instant repairedAt;
    private final ReadOnlyStringWrapper writesRefused = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper startBlocked = new ReadOnlyStringWrapper("");
    private WorkloadStats last = WorkloadStats.NONE;
    private final String unavailable;

    WorkloadViewModel(Workload workload, ActionStatus status) {
        this(workload, status, "");
    }

    /** {@code unavailable}: why this app cannot run a workload at all (attached to another holder), else empty. */
    WorkloadViewModel(Workload workload, ActionStatus status, String unavailable) {
        this.workload = workload;
        this.status = status;
        this.unavailable = unavailable;
        WorkloadSettings s = workload.settings();
        readPercent.set(s.readPercent());
        blockSize.set(s.blockSize());
        rate.set(s.bytesPerSecond());
        random.set(s.random());
        verify.set(s.verify());
        for (var p : new javafx.beans.Observable[] {readPercent, blockSize, rate, random, verify}) {
            p.addListener(o -> applySettings());
        }
        for (var p : new javafx.beans.Observable[] {readPercent, writesRefused, running}) {
            p.addListener(o -> updateStartBlocked());
        }
    }

    /**
     * Why hosts cannot write the volume now (the BCV of a pair that is not Split), or empty. A
     * workload that writes is not started then: every write would be refused.
     */
    public ReadOnlyStringProperty writesRefusedProperty() {
        return writesRefused.getReadOnlyProperty();
    }

    void setWritesRefused(String why) {
        writesRefused.set(why == null ? "" : why);
    }

    /** Why Start is not allowed now, or empty (also empty while running: Stop is the action then). */
    public ReadOnlyStringProperty startBlockedProperty() {
        return startBlocked.getReadOnlyProperty();
    }

    private void updateStartBlocked() {
        startBlocked.set(!running.get() && !writesRefused.get().isEmpty() && readPercent.get() < 100
                ? writesRefused.get() + ": set the workload to 100% reads, or split the pair" : "");
    }

    /** Why no workload can run from this app (it is attached to the pool's holder), or empty. */
    public String unavailable() {
        return unavailable;
    }

    public String volume() {
        return workload.volume();
    }

    public IntegerProperty readPercentProperty() {
        return readPercent;
    }

    public IntegerProperty blockSizeProperty() {
        return blockSize;
    }

    /** Target bytes per second, 0 = unlimited. */
    public LongProperty rateProperty() {
        return rate;
    }

    public BooleanProperty randomProperty() {
        return random;
    }

    public BooleanProperty verifyProperty() {
        return verify;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /**
     * "verified 1,234 blocks, 0 errors"; after a repair cleared the errors' problem the count stays
     * (it is history) and says so: "..., 16 errors, all before the repair at 12:34:56", or with new
     * ones "..., 18 errors (16 before the repair at 12:34:56)".
     */
    public ReadOnlyStringProperty verifyLineProperty() {
        return verifyLine.getReadOnlyProperty();
    }

    /** "R 1.4 MB/s · W 0.6 MB/s · 1,024 reads · 410 writes", or "not running". */
    public ReadOnlyStringProperty ioLineProperty() {
        return ioLine.getReadOnlyProperty();
    }

    /** The last error or refusal, as the engine or the check said it; empty if none. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    /** Every error counted since the workload was made (a repair does not take them back). */
    public ReadOnlyLongProperty errorsProperty() {
        return errors.getReadOnlyProperty();
    }

    /** True while errors counted since the last repair stand (the line is red then, not for history). */
    public ReadOnlyBooleanProperty errorsStandProperty() {
        return errorsStand.getReadOnlyProperty();
    }

    /**
     * Whether the volume's workload-errors problem stands in the latest snapshot (UI thread): when it
     * goes, a repair made the volume whole at {@code now}, and the errors counted so far came before it.
     */
    void applyProblem(boolean stands, java.time.Instant now) {
        if (problemStands && !stands && last.errors() > errorsAtRepair) {
            errorsAtRepair = last.errors();
            repairedAt = now;
            showVerify();
        }
        problemStands = stands;
    }

    /** The latest counters (UI thread). */
    public WorkloadStats stats() {
        return last;
    }

    // ---- commands

    public void start() {
        if (!unavailable.isEmpty()) {
            status.failed("The workload on " + volume() + " cannot start: " + unavailable);
            return;
        }
        if (!startBlocked.get().isEmpty()) {
            status.failed(startBlocked.get());
            return;
        }
        if (!workload.isRunning()) {
            workload.start();
            running.set(true);
            status.succeeded("Workload started on " + volume());
        }
    }

    public void stop() {
        if (workload.isRunning()) {
            running.set(false);
            // joining the thread may wait for one I/O: not on the UI thread
            Thread t = new Thread(workload::stop, "splitpoint-workload-stop");
            t.setDaemon(true);
            t.start();
            status.succeeded("Workload stopped on " + volume());
        }
    }

    private void applySettings() {
        try {
            workload.setSettings(new WorkloadSettings(readPercent.get(), blockSize.get(), rate.get(), random.get(),
                    verify.get()));
        } catch (IllegalArgumentException e) {
            status.failed(e.getMessage());
        }
    }

    /** Takes fresh counters (UI thread). */
    void apply(WorkloadStats s) {
        last = s;
        running.set(workload.isRunning());
        showVerify();
        ioLine.set(s.running() || s.reads() + s.writes() > 0 ? s.ioLine() : "not running");
        problem.set(s.lastProblem());
        errors.set(s.errors());
    }

    private void showVerify() {
        long n = last.errors();
        String line = last.verifyLine();
        if (repairedAt != null) {
            String before = "before the repair at " + org.splitpoint.app.common.Format.clock(repairedAt);
            line += n == errorsAtRepair ? ", all " + before
                    : " (" + org.splitpoint.app.common.Format.count(errorsAtRepair) + " " + before + ")";
        }
        verifyLine.set(line);
        errorsStand.set(n > errorsAtRepair);
    }

    Workload workload() {
        return workload;
    }
}
