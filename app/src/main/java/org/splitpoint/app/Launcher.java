package org.splitpoint.app;

/**
 * Plain entry point for launching with JavaFX on the class path (a main class that extends
 * Application needs JavaFX on the module path; this one does not).
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) {
        SplitpointApp.main(args);
    }
}
