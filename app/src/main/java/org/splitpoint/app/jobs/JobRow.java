package org.splitpoint.app.jobs;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;

/** A running job as a list row: what it is, percent, tracks, rate, ETA, whether it is paused, and its own limit. */
public final class JobRow {

    private final String id;
    private final String kind;
    private final String target;
    private final boolean movesBytes;
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper line = new ReadOnlyStringWrapper();
    private final ReadOnlyDoubleWrapper fraction = new ReadOnlyDoubleWrapper();
    private final JobThrottle throttle;

    JobRow(JobProgress p, JobThrottle throttle) {
        this.id = p.id();
        this.kind = p.kind();
        this.target = p.target();
        this.movesBytes = p.trackBytes() > 0;
        this.throttle = throttle;
        update(p);
    }

    void update(JobProgress p) {
        update(p, JobTitle.of(p, null));
    }

    /** {@code name}: what the job does ({@link JobTitle}). */
    void update(JobProgress p, String name) {
        title.set(name);
        paused.set(p.state() == JobState.PAUSED);
        if (p.trackBytes() == 0) {
            // a timed step (a firmware update's): no bytes, so no rate or ETA to show ("0.0 MB/s ·
            // ETA --:--" said it was stuck), and its units are ticks, not tracks: it says its steps
            // as its history line and 'job list' do ("2 of 4 steps")
            line.set(Format.percent(p.fraction()) + (p.timed() ? " · " + p.steps() : "") + " · "
                    + (paused.get() ? "PAUSED" : p.timed() ? "no data moves" : "timed step, no data moves"));
        } else {
            line.set(Format.progress(p.fraction(), p.bytesPerSecond(), p.etaSeconds(), paused.get()) + " · "
                    + Format.count(p.doneTracks()) + "/" + Format.count(p.totalTracks()) + " " + p.unit());
        }
        fraction.set(p.fraction());
        throttle.follow(p);
    }

    /** The job's own limit in bytes per second, 0 = unlimited (input: applies to the job at once). */
    public javafx.beans.property.LongProperty limitProperty() {
        return throttle.limitProperty();
    }

    public String id() {
        return id;
    }

    /** What the job works on: a volume, a pair, a drive. */
    public String target() {
        return target;
    }

    /** False for a timed step (a firmware update's): no rate, no ETA, and a speed limit would limit nothing. */
    public boolean movesBytes() {
        return movesBytes;
    }

    /** "rebuild", "establish", "restore", "backup", "instant-restore". */
    public String kind() {
        return kind;
    }

    public ReadOnlyBooleanProperty pausedProperty() {
        return paused.getReadOnlyProperty();
    }

    /** "rebuild d3 of db", "instant restore of prod from IMAGE". */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** "42.1% · 180.3 MB/s · ETA 0:12 · 1,234/2,938 tracks" (a diagnostics scan: "512/2,048 MiB"); "45.0% · 1 of 4 steps · no data moves" for timed steps. */
    public ReadOnlyStringProperty lineProperty() {
        return line.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty fractionProperty() {
        return fraction.getReadOnlyProperty();
    }
}
