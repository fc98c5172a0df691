package org.splitpoint.app.journal;

import java.util.List;

/**
 * A quantity against its limit, as a bar and a line: the journal's size against its max size, its
 * oldest entry's age against its max age, the snapshots' save area against its size.
 *
 * @param fraction 0..1 of the limit (more when past it); -1 when there is no limit to draw against
 * @param text     "1.2 MiB of 2 MiB", "3 min 12 s of 15 min"
 * @param level    how close to the limit: a ship is due at FULL
 * @param marks    thresholds drawn on the bar (0..1: the save area's 80% and 95%); none for the journal's
 */
public record Gauge(double fraction, String text, Level level, List<Double> marks) {

    public Gauge {
        marks = List.copyOf(marks);
    }

    /** A gauge with no marks on its bar. */
    public Gauge(double fraction, String text, Level level) {
        this(fraction, text, level, List.of());
    }

    /** Where a quantity stands against its limit. */
    public enum Level {
        LOW, NEAR, FULL;

        /** NEAR from 80% of the limit, FULL at it. */
        public static Level of(double fraction) {
            return fraction >= 1 ? FULL : fraction >= 0.8 ? NEAR : LOW;
        }
    }

    public static final Gauge NONE = new Gauge(-1, "", Level.LOW);
}
