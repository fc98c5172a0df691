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

    /**
     * How long this reason's simulated steps take, in milliseconds: four seconds for a firmware
     * update, 0.8 for a reset, at the step scale in force (0 for diagnostics, a real read scan,
     * and for a replacement, which has no steps). What the forms announce is what the job waits.
     */
    public long simulatedMillis() {
        return ServiceSteps.lengthMillis(this);
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
