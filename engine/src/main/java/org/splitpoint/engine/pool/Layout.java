package org.splitpoint.engine.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** RAID layouts: n-way mirror, dedicated parity, rotating (left-symmetric) parity. */
public enum Layout {
    RAID1(2, 512), RAID3(3, 512), RAID5(3, 64 * 1024);

    private final int minDrives;
    private final int defaultStripUnit;

    Layout(int minDrives, int defaultStripUnit) {
        this.minDrives = minDrives;
        this.defaultStripUnit = defaultStripUnit;
    }

    /** Fewest members the layout allows. */
    public int minDrives() {
        return minDrives;
    }

    /** Default strip unit in bytes (ignored by raid1). */
    public int defaultStripUnit() {
        return defaultStripUnit;
    }

    /**
     * The member that holds every stripe's parity over {@code members} members (RAID 3's: the last
     * one named at the volume's creation), or -1 where parity rotates (RAID 5) or there is none.
     */
    public int parityMemberOfAll(int members) {
        return this == RAID3 ? members - 1 : -1;
    }

    /** Member failures the layout survives with {@code members} members. */
    public int redundancy(int members) {
        return this == RAID1 ? members - 1 : 1;
    }

    @JsonValue
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Layout parse(String s) {
        for (Layout l : values()) {
            if (l.word().equalsIgnoreCase(s)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown layout '" + s + "' (use raid1, raid3 or raid5)");
    }
}
