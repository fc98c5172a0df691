package org.splitpoint.app;

import java.util.List;

/**
 * Entry point of {@code splitpoint gui}: checks the arguments and the display ({@link GuiCommand})
 * before JavaFX starts, then launches {@link SplitpointApp}. A plain class (not an Application), so
 * the JVM does not start the toolkit before these checks, and so it also runs with JavaFX on the
 * class path.
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) {
        GuiCommand.Decision d = GuiCommand.decide(List.of(args), System::getenv, System::getProperty);
        if (!d.start()) {
            (d.exitCode() == 0 ? System.out : System.err).println(d.text());
            System.exit(d.exitCode());
        }
        try {
            SplitpointApp.main(args);
        } catch (UnsupportedOperationException e) { // the toolkit could not start (glass says why)
            String why = String.valueOf(rootMessage(e));
            if (why.contains("Unable to open DISPLAY")) { // set, but nothing there
                System.err.println("splitpoint gui: cannot open the display " + System.getenv("DISPLAY")
                        + " (is the X server running, and may you use it?)");
                System.exit(2);
            }
            System.err.println("splitpoint gui: JavaFX cannot start on this machine: " + why
                    + (why.contains("GTK") ? " (the app needs GTK 3: install libgtk-3-0)" : ""));
            System.exit(1);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? t.getMessage() : c.getMessage();
    }
}
