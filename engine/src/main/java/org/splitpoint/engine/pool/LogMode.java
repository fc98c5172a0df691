package org.splitpoint.engine.pool;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a service window keeps what its offline drive misses: {@code pointers} a bitmap of the tracks
 * written (seed 000 claim 7), {@code data} those bytes in a delta file (claim 8), {@code repository}
 * every write redirected into a logging repository outside the volume (seed 001).
 */
public enum LogMode {
    POINTERS, DATA, REPOSITORY;

    @JsonValue
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LogMode parse(String s) {
        for (LogMode m : values()) {
            if (m.word().equalsIgnoreCase(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown log mode '" + s + "' (use pointers, data or repository)");
    }
}
