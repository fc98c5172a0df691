package org.splitpoint.app.journal;

import org.splitpoint.app.common.StateLook;

/**
 * A volume's staged backup journal as its card's badge says it, worst first: both legs lost
 * (UNPROTECTED: writes go unjournaled), no base image (the journal holds writes but nothing to
 * rebuild onto), the base backup still running, its store out of reach (CANNOT SHIP: the base image
 * and the ships are away, the entries pile up on the drives), one leg lost (DEGRADED: unmirrored), or
 * protecting.
 */
public enum JournalState {
    OFF(new StateLook("OFF", StateLook.Glyph.RING, StateLook.Tone.IDLE)),
    UNPROTECTED(new StateLook("UNPROTECTED", StateLook.Glyph.CROSS, StateLook.Tone.BAD)),
    NOT_PROTECTING(new StateLook("NOT PROTECTING", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)),
    STARTING(new StateLook("STARTING", StateLook.Glyph.ARROWS, StateLook.Tone.BUSY)),
    CANNOT_SHIP(new StateLook("CANNOT SHIP", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)),
    DEGRADED(new StateLook("DEGRADED", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)),
    PROTECTING(new StateLook("PROTECTING", StateLook.Glyph.CHECK, StateLook.Tone.OK));

    private final StateLook look;

    JournalState(StateLook look) {
        this.look = look;
    }

    public StateLook look() {
        return look;
    }
}
