package org.splitpoint.engine.pool;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why a drive was taken offline on purpose (a service window). */
public enum OfflineReason {
    FIRMWARE, DIAGNOSTICS, REPLACEMENT, RESET;

    @JsonValue
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OfflineReason parse(String s) {
        for (OfflineReason r : values()) {
            if (r.word().equalsIgnoreCase(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown offline reason '" + s + "' (use firmware, diagnostics, replacement or reset)");
    }
}
