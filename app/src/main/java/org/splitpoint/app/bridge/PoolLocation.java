package org.splitpoint.app.bridge;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Which pool the app opens: a path given on the command line, else the system property
 * {@code splitpoint.pool}, else the demo pool in the user's data directory
 * ({@code $XDG_DATA_HOME/splitpoint/demo-pool}, by default {@code $HOME/.local/share/splitpoint/demo-pool};
 * {@code $HOME}, not the passwd home Java reports as {@code user.home}, so a fresh HOME gets a demo of its own).
 *
 * @param demo true when it is the demo pool, which the app creates on first run
 */
public record PoolLocation(Path dir, boolean demo) {

    public static final String PROPERTY = "splitpoint.pool";

    /** Resolves from the raw arguments, system properties and environment (injected for tests). */
    public static PoolLocation resolve(List<String> args, Function<String, String> properties,
                                       Function<String, String> environment) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return new PoolLocation(Path.of(a).toAbsolutePath().normalize(), false);
            }
        }
        String prop = properties.apply(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return new PoolLocation(Path.of(prop).toAbsolutePath().normalize(), false);
        }
        return new PoolLocation(dataDir(properties, environment).resolve("splitpoint").resolve("demo-pool"), true);
    }

    private static Path dataDir(Function<String, String> properties, Function<String, String> environment) {
        String xdg = environment.apply("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg);
        }
        String home = environment.apply("HOME");
        return Path.of(home != null && !home.isBlank() ? home : properties.apply("user.home"), ".local", "share");
    }
}
