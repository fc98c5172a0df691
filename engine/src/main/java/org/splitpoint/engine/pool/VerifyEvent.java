package org.splitpoint.engine.pool;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.splitpoint.engine.event.Event;

/**
 * The event a verify publishes ({@link PoolAdmin#verify}), written and read here only: the app's
 * volume page reads a verify it did not start (a drill's last step, a shell's 'volume verify') from
 * the event, so the words are made and parsed by one piece of code.
 */
public record VerifyEvent(String volume, long mismatches, boolean repaired) {

    private static final String TYPE = "VERIFY";
    private static final Pattern TEXT = Pattern.compile("verify of (.+): (\\d+) mismatched sectors( repaired)?");

    /** "verify of V: N mismatched sectors[ repaired]", a warning when any was found. */
    public Event event() {
        String msg = "verify of " + volume + ": " + mismatches + " mismatched sectors" + (repaired ? " repaired" : "");
        return mismatches == 0 ? Event.info(TYPE, volume, msg) : Event.warning(TYPE, volume, msg);
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
