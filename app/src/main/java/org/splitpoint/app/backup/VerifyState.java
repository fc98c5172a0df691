package org.splitpoint.app.backup;

import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.StateLook;

/**
 * What the app knows of an image's integrity: not verified (in this session), verifying (with
 * progress), ok, DAMAGED (with the engine's sentence naming the damage), its own bytes ok but a chain
 * it needs broken (it cannot be restored: the engine's sentence, as {@code backup verify} says it),
 * or not checked because the image could not be read at all (with why).
 */
public record VerifyState(Kind kind, double fraction, String detail) {

    public enum Kind { NOT_VERIFIED, VERIFYING, OK, DAMAGED, CHAIN_BROKEN, UNREADABLE }

    public static final VerifyState NOT_VERIFIED = new VerifyState(Kind.NOT_VERIFIED, 0, "");

    public static VerifyState verifying(double fraction) {
        return verifying(fraction, "");
    }

    /** Verifying, {@code pace} its rate and ETA ("35.0 MB/s · ETA 0:12", "" while not measured yet). */
    public static VerifyState verifying(double fraction, String pace) {
        return new VerifyState(Kind.VERIFYING, fraction, pace);
    }

    /** Verified now: every SHA-256 matched. */
    public static VerifyState ok() {
        return new VerifyState(Kind.OK, 1, "every SHA-256 matched (verified " + java.time.LocalTime.now().withNano(0) + ")");
    }

    public static VerifyState damaged(String sentence) {
        return new VerifyState(Kind.DAMAGED, 1, sentence);
    }

    /** "ok, but its chain is broken at P: ...; it cannot be restored" ({@code ChainVerify.Verdict#sentence}). */
    public static VerifyState chainBroken(String sentence) {
        return new VerifyState(Kind.CHAIN_BROKEN, 1, sentence);
    }

    public static VerifyState unreadable(String sentence) {
        return new VerifyState(Kind.UNREADABLE, 1, sentence);
    }

    /** Glyph, word and tone for the table. */
    public StateLook look() {
        return switch (kind) {
            case NOT_VERIFIED -> new StateLook("not verified", StateLook.Glyph.RING, StateLook.Tone.IDLE);
            case VERIFYING -> new StateLook("verifying", StateLook.Glyph.ARROWS, StateLook.Tone.BUSY);
            case OK -> new StateLook("ok", StateLook.Glyph.CHECK, StateLook.Tone.OK);
            case DAMAGED -> new StateLook("DAMAGED", StateLook.Glyph.CROSS, StateLook.Tone.BAD);
            case CHAIN_BROKEN -> new StateLook("chain broken", StateLook.Glyph.CROSS, StateLook.Tone.BAD);
            case UNREADABLE -> new StateLook("not checked", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN);
        };
    }

    /** The word and, when there is one, the sentence: "DAMAGED: image … fails its SHA-256", "verifying 42.1% · 35.0 MB/s · ETA 0:12". */
    public String line() {
        if (kind == Kind.CHAIN_BROKEN) {
            return detail; // the engine's sentence begins with what holds ("ok, but its chain is broken at ...")
        }
        if (kind == Kind.VERIFYING) {
            return "verifying " + Format.percent(fraction) + (detail.isEmpty() ? "" : " · " + detail);
        }
        String w = look().word();
        return detail.isEmpty() || kind == Kind.OK ? w : w + ": " + detail;
    }
}
