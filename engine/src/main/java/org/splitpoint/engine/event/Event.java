package org.splitpoint.engine.event;

import java.time.Instant;

/**
 * An immutable engine event. {@code type} is a stable word for programs (DRIVE_STATE, VOLUME_STATE,
 * JOB_PROGRESS, JOB_FINISHED, ERROR, COMMAND); {@code message} is one sentence for people.
 */
public record Event(Instant time, Severity severity, String type, String source, String message) {

    public static Event info(String type, String source, String message) {
        return new Event(Instant.now(), Severity.INFO, type, source, message);
    }

    public static Event warning(String type, String source, String message) {
        return new Event(Instant.now(), Severity.WARNING, type, source, message);
    }

    public static Event critical(String type, String source, String message) {
        return new Event(Instant.now(), Severity.CRITICAL, type, source, message);
    }
}
