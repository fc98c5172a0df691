package org.splitpoint.app.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The engine's sentences are the CLI's as well, and name the next step as a command to type ("bring
 * it back with 'drive online'"). In the app the same step is a button, so a sentence shown here names
 * the button and where it is instead ("bring it back with 'Bring online' in the drive bay"); the rest
 * of the sentence is the engine's, word for word. A command the app has no button for stays as it is.
 * Applied where engine sentences reach the app: refusals and failures, events, notices, problem lines.
 */
public final class AppWords {

    /** Each CLI verb as the engine quotes it, and the app's button for it with where it is. */
    private static final Map<String, String> BUTTONS = new LinkedHashMap<>();

    static {
        BUTTONS.put("'drive online'", "'Bring online' in the drive bay");
        BUTTONS.put("'drive fail'", "'Fail drive' in the drive bay");
        BUTTONS.put("'drive replace'", "'Replace drive…' in the drive bay");
        BUTTONS.put("'drive add'", "'Add drives…' in the drive bay");
        BUTTONS.put("'volume verify --repair'", "'Repair' on the volume's page");
        BUTTONS.put("'volume journal enable'", "'Enable journal…' on the volume's page");
        BUTTONS.put("'volume journal ship'", "'Ship now' on the volume's page");
        BUTTONS.put("'backup restore'", "'Restore from backup…'");
        BUTTONS.put("'pool create'", "File → New pool…");
    }

    private AppWords() {
    }

    /** {@code sentence} with each CLI verb that has a button in the app replaced by that button; null stays null. */
    public static String of(String sentence) {
        if (sentence == null || sentence.indexOf('\'') < 0) {
            return sentence;
        }
        String s = sentence;
        for (Map.Entry<String, String> b : BUTTONS.entrySet()) {
            s = s.replace(b.getKey(), b.getValue());
        }
        return s;
    }

    /** {@code e} with its message in the app's words (the same event when nothing changes). */
    public static org.splitpoint.engine.event.Event of(org.splitpoint.engine.event.Event e) {
        String m = of(e.message());
        return m == null || m.equals(e.message()) ? e : new org.splitpoint.engine.event.Event(e.time(), e.severity(),
                e.type(), e.source(), m);
    }
}
