package org.splitpoint.engine.pool;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.splitpoint.engine.event.Event;

/**
 * The event a verify publishes ({@link PoolAdmin#verify}), written and read here only: the app's
 * volume page reads a verify it did not start (a drill's last step, a shell's 'volume verify') from
 * the event, so the words are made and parsed by one piece of code. So is the sentence a verify
 * that found mismatches without repairing them fails with, which an attached app reads back as the count.
 */
public record VerifyEvent(String volume, long mismatches, boolean repaired) {

    private static final String TYPE = "VERIFY";
    private static final Pattern TEXT = Pattern.compile("verify of (.+): (\\d+) mismatched sectors( repaired)?");
    private static final Pattern FOUND = Pattern.compile("(.+) has (\\d+) mismatched sectors; run with --repair to fix them");

    /** "verify of V: N mismatched sectors[ repaired]", a warning when any was found. */
    public Event event() {
        String msg = "verify of " + volume + ": " + mismatches + " mismatched sectors" + (repaired ? " repaired" : "");
        return mismatches == 0 ? Event.info(TYPE, volume, msg) : Event.warning(TYPE, volume, msg);
    }

    /**
     * What a verify that found mismatches and did not repair them says as its failure ('volume verify'
     * exits 1 then, so a script tells such a volume from a clean one): "V has N mismatched sectors; run
     * with --repair to fix them".
     */
    public String unrepairedSentence() {
        return volume + " has " + mismatches + " mismatched sectors; run with --repair to fix them";
    }

    /** The verify whose {@link #unrepairedSentence} {@code sentence} is, or null when it is none. */
    public static VerifyEvent ofUnrepaired(String sentence) {
        Matcher m = sentence == null ? null : FOUND.matcher(sentence);
        return m != null && m.matches() ? new VerifyEvent(m.group(1), Long.parseLong(m.group(2)), false) : null;
    }

    /** The verify {@code e} tells of, or null when it is no verify's event. */
    public static VerifyEvent of(Event e) {
        if (!TYPE.equals(e.type()) || e.message() == null) {
            return null;
        }
        Matcher m = TEXT.matcher(e.message());
        return m.matches() ? new VerifyEvent(m.group(1), Long.parseLong(m.group(2)), m.group(3) != null) : null;
    }
}
