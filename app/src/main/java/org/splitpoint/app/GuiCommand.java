package org.splitpoint.app;

import java.util.List;
import java.util.function.Function;

/**
 * {@code splitpoint gui [POOL]} before JavaFX starts: {@code --help} answers the usage, a wrong
 * argument or a missing display one sentence (exit 2, as the CLI does for a usage error), so no one
 * meets a toolkit's stack trace ("Unable to open DISPLAY"). Under Monocle (headless tests, the
 * {@code glass.platform} property) no display is needed.
 */
final class GuiCommand {

    static final String USAGE = String.join("\n",
            "usage: splitpoint gui [POOL]",
            "  Opens the Splitpoint desktop app on POOL (a directory with pool.json), else on the pool opened",
            "  last, else on the demo pool (created on first run under $XDG_DATA_HOME/splitpoint/demo-pool,",
            "  by default ~/.local/share/splitpoint/demo-pool). Needs a graphical display (DISPLAY or",
            "  WAYLAND_DISPLAY). Preferences: $XDG_CONFIG_HOME/splitpoint/app.properties (by default",
            "  ~/.config/splitpoint/app.properties).");

    /** What to do: start the app (with {@code args}), or print {@code text} and exit with {@code exitCode}. */
    record Decision(boolean start, String text, int exitCode) { }

    private GuiCommand() {
    }

    static Decision decide(List<String> args, Function<String, String> environment, Function<String, String> properties) {
        String pool = null;
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h") || a.equals("help")) {
                return new Decision(false, USAGE, 0);
            }
            if (a.startsWith("-")) {
                return new Decision(false, "splitpoint gui: unknown option '" + a + "'\n" + USAGE, 2);
            }
            if (pool != null) {
                return new Decision(false, "splitpoint gui: one pool at a time ('" + pool + "' and '" + a + "')\n"
                        + USAGE, 2);
            }
            pool = a;
        }
        if (!headless(properties) && blank(environment.apply("DISPLAY")) && blank(environment.apply("WAYLAND_DISPLAY"))) {
            return new Decision(false, "splitpoint gui: no graphical display (DISPLAY is not set); run it in a desktop"
                    + " session, or start a virtual one (Xvfb :99) and set DISPLAY=:99", 2);
        }
        return new Decision(true, "", 0);
    }

    private static boolean headless(Function<String, String> properties) {
        return "Monocle".equalsIgnoreCase(properties.apply("glass.platform"));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
