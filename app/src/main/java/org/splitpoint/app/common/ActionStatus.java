package org.splitpoint.app.common;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * What the administrator's last action is doing or did, for the status bar; {@code busy} while an
 * action runs, which disables the other actions (one change at a time, in the order clicked).
 * The line is that action's result, stamped with the time it came, not the pool's state (the views
 * show that); a result that speaks of a job still running ("rebuilding", "is coming back") is given
 * with {@link #succeededWhileRunning} and goes when that job ends, so it never reads as the present
 * once the job is over. Used on the UI thread only.
 */
public final class ActionStatus {

    public enum Kind { NONE, WORKING, DONE, ERROR }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Kind> kind = new ReadOnlyObjectWrapper<>(Kind.NONE);

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Kind> kindProperty() {
        return kind.getReadOnlyProperty();
    }

    public boolean isBusy() {
        return busy.get();
    }

    public void started(String what) {
        busy.set(true);
        set(Kind.WORKING, what);
    }

    public void succeeded(String what) {
        busy.set(false);
        set(Kind.DONE, what);
    }

    /**
     * As {@link #succeeded}, for the start of job {@code jobId} ({@code jobKind} on {@code target})
     * that goes on after it: the line goes when that job ends (done, failed or cancelled; {@link
     * #jobs} sees it). "Restoring prod to snap-1: 12 tracks to copy back" stayed at the status bar's
     * right end after the restore had ended, reading as if it still ran. The id (null or empty when
     * not known, as a holder's output may not name it) tells a job that ended before the next sample
     * from an older one; without it, kind and target and what the first sample showed do.
     */
    public void succeededWhileRunning(String what, String jobKind, String target, String jobId) {
        succeeded(what);
        following = new Following(kind.get(), message.get(), jobKind, target,
                jobId == null || jobId.isEmpty() ? null : jobId);
    }

    /**
     * As {@link #succeeded}, for a result that says a state ({@code said}: "Pair prod-pair is Split: ..."):
     * while the line is shown, each change of {@code state} to another one (the pair established from a
     * shell, through this app, which holds the pool) replaces it with {@code newer}'s line for the new
     * state, stamped when the app learned of it. "Pair prod-pair is Split" stayed over a pair the views
     * showed Synchronized. Another action's line ends the following.
     */
    public <T> void succeededWhileState(String what, javafx.beans.value.ObservableValue<T> state, T said,
                                        java.util.function.Function<T, String> newer) {
        succeeded(what);
        new StateLine<>(state, said, newer);
    }

    /** A shown line that says a state, following it until another line takes its place. */
    private final class StateLine<T> implements javafx.beans.value.ChangeListener<T> {
        private final javafx.beans.value.ObservableValue<T> state;
        private final java.util.function.Function<T, String> newer;
        private T shown;
        private String line;

        StateLine(javafx.beans.value.ObservableValue<T> state, T said, java.util.function.Function<T, String> newer) {
            this.state = state;
            this.newer = newer;
            this.shown = said;
            this.line = message.get();
            state.addListener(this);
        }

        @Override
        public void changed(javafx.beans.value.ObservableValue<? extends T> o, T was, T now) {
            if (kind.get() != Kind.DONE || !message.get().equals(line)) {
                state.removeListener(this); // a later action's line: not ours to follow
                return;
            }
            if (now == null || now.equals(shown)) {
                return; // the state the line says, reached after it was written (a split's SplitInProg → Split)
            }
            shown = now;
            set(Kind.DONE, newer.apply(now));
            line = message.get();
        }
    }

    /** The pool's jobs as a new sample shows them: clears the line of a started job that has ended. */
    public void jobs(java.util.List<org.splitpoint.engine.job.JobProgress> jobs) {
        Following f = following;
        if (f == null) {
            return;
        }
        if (kind.get() != f.kind || !message.get().equals(f.message)) {
            following = null; // a later action's line: not ours to clear
            return;
        }
        if (f.jobId != null) {
            followById(f, jobs);
            return;
        }
        boolean running = false;
        java.util.Set<String> ended = new java.util.HashSet<>();
        for (org.splitpoint.engine.job.JobProgress j : jobs) {
            if (j.kind().equals(f.jobKind) && j.target().equals(f.target)) {
                if (j.state().isFinished()) {
                    ended.add(j.id());
                } else {
                    running = true;
                }
            }
        }
        if (f.endedBefore == null) { // the first sample after the start may predate it: what had ended then is older
            f.endedBefore = ended;
            f.seenRunning = running;
            return;
        }
        f.seenRunning |= running;
        ended.removeAll(f.endedBefore);
        if ((f.seenRunning && !running) || !ended.isEmpty()) {
            clearFollowed();
        }
    }

    /** Clears the line once job {@code f.jobId} shows as ended, or is gone after it was seen running. */
    private void followById(Following f, java.util.List<org.splitpoint.engine.job.JobProgress> jobs) {
        org.splitpoint.engine.job.JobProgress mine = null;
        for (org.splitpoint.engine.job.JobProgress j : jobs) {
            if (f.jobId.equals(j.id())) {
                mine = j;
            }
        }
        if (mine != null && !mine.state().isFinished()) {
            f.seenRunning = true;
        } else if (mine != null || f.seenRunning) {
            clearFollowed();
        }
    }

    private void clearFollowed() {
        following = null;
        kind.set(Kind.NONE);
        message.set("");
    }

    /** The started job whose line is shown, and what was seen of it. */
    private static final class Following {
        final Kind kind;
        final String message;
        final String jobKind;
        final String target;
        final String jobId;
        java.util.Set<String> endedBefore;
        boolean seenRunning;

        Following(Kind kind, String message, String jobKind, String target, String jobId) {
            this.kind = kind;
            this.message = message;
            this.jobId = jobId;
            this.jobKind = jobKind;
            this.target = target;
        }
    }

    private Following following;

    public void failed(String why) {
        busy.set(false);
        set(Kind.ERROR, why);
    }

    private void set(Kind k, String text) {
        kind.set(k);
        // stamped, so a result that no longer describes the pool reads as history
        message.set(CLOCK.format(LocalTime.now()) + "  " + text);
    }
}
