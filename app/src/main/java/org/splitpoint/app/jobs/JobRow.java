package org.splitpoint.app.jobs;

import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.engine.job.JobProgress;

/** A running job as a list row: the engine's progress line and the fraction done. */
public final class JobRow {

    private final String id;
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper line = new ReadOnlyStringWrapper();
    private final ReadOnlyDoubleWrapper fraction = new ReadOnlyDoubleWrapper();

    JobRow(JobProgress p) {
        this.id = p.id();
        update(p);
    }

    void update(JobProgress p) {
        String name = p.kind() + " " + p.target();
        title.set(name);
        String text = p.line();
        if (text.startsWith(name)) {
            text = text.substring(name.length()).strip(); // the title already says what the job is
        }
        String limit = p.throttle() > 0 ? "  limit " + RateLimit.describe(p.throttle()) : "";
        line.set(text + limit);
        fraction.set(p.fraction());
    }

    public String id() {
        return id;
    }

    /** "rebuild d3 of db". */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** The engine's progress line without the title: percent, tracks, MB/s, ETA, limit. */
    public ReadOnlyStringProperty lineProperty() {
        return line.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty fractionProperty() {
        return fraction.getReadOnlyProperty();
    }
}
