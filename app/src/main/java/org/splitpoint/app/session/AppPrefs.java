package org.splitpoint.app.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * What the app remembers between runs: the window's bounds, the last pool and the recent ones, the
 * theme, the backup stores in use, whether the demo pool runs its workload. Kept in one properties
 * file, {@code $XDG_CONFIG_HOME/splitpoint/app.properties} (else {@code $HOME/.config/splitpoint/}),
 * not in java.util.prefs: those live under the passwd home whatever {@code $HOME} says, so a fresh
 * {@code HOME} would still open another user's last pool. Tests pass a file of their own.
 */
public final class AppPrefs {

    static final int RECENT = 6;
    private static final System.Logger LOG = System.getLogger(AppPrefs.class.getName());

    /** A window's place and size. */
    public record Bounds(double x, double y, double width, double height, boolean maximized) { }

    private final Path file;
    private final Properties values = new Properties();

    /** The preferences kept in {@code file} (read now if it exists; written on every change). */
    public AppPrefs(Path file) {
        this.file = file;
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                values.load(in);
            } catch (IOException | IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "ignoring unreadable preferences " + file + ": " + e.getMessage());
            }
        }
    }

    /** The user's preferences, in the file {@link #userFile} names for this process's environment. */
    public static AppPrefs user() {
        return new AppPrefs(userFile(System::getenv, System::getProperty));
    }

    /**
     * {@code $XDG_CONFIG_HOME/splitpoint/app.properties} when that is an absolute path, else
     * {@code $HOME/.config/splitpoint/app.properties} ({@code user.home} only when HOME is unset).
     */
    public static Path userFile(Function<String, String> environment, Function<String, String> properties) {
        String xdg = environment.apply("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : home(environment, properties).resolve(".config");
        return config.resolve("splitpoint").resolve("app.properties");
    }

    /** {@code $HOME} (what the user's shell says), else the passwd home Java reports. */
    public static Path home(Function<String, String> environment, Function<String, String> properties) {
        String home = environment.apply("HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(properties.apply("user.home"));
    }

    public Path file() {
        return file;
    }

    public synchronized Bounds bounds() {
        double w = number("window.width", -1);
        if (w <= 0) {
            return null;
        }
        return new Bounds(number("window.x", 0), number("window.y", 0), w, number("window.height", 780),
                Boolean.parseBoolean(values.getProperty("window.maximized", "false")));
    }

    public synchronized void saveBounds(Bounds b) {
        values.setProperty("window.x", Double.toString(b.x()));
        values.setProperty("window.y", Double.toString(b.y()));
        values.setProperty("window.width", Double.toString(b.width()));
        values.setProperty("window.height", Double.toString(b.height()));
        values.setProperty("window.maximized", Boolean.toString(b.maximized()));
        save();
    }

    /** The pool opened last, if it still is a pool. */
    public synchronized Path lastPool() {
        String s = values.getProperty("pool.last");
        Path p = s == null ? null : Path.of(s);
        return p != null && Files.isRegularFile(p.resolve("pool.json")) ? p : null;
    }

    /** Recent pools, newest first (those that no longer exist are dropped). */
    public synchronized List<Path> recentPools() {
        List<Path> out = new ArrayList<>();
        for (String s : values.getProperty("pool.recent", "").split("\n")) {
            if (!s.isBlank() && Files.isRegularFile(Path.of(s).resolve("pool.json"))) {
                out.add(Path.of(s));
            }
        }
        return out;
    }

    /** Remembers {@code dir} as the last pool and first of the recent ones. */
    public synchronized void opened(Path dir) {
        List<Path> recent = recentPools();
        recent.remove(dir);
        recent.add(0, dir);
        List<String> keep = recent.stream().limit(RECENT).map(Path::toString).toList();
        values.setProperty("pool.last", dir.toString());
        values.setProperty("pool.recent", String.join("\n", keep));
        save();
    }

    /** The backup stores the administrator added (Backups view), in the order added. */
    public synchronized List<Path> backupStores() {
        List<Path> out = new ArrayList<>();
        for (String s : values.getProperty("backup.stores", "").split("\n")) {
            if (!s.isBlank()) {
                out.add(Path.of(s));
            }
        }
        return out;
    }

    public synchronized void saveBackupStores(List<Path> stores) {
        values.setProperty("backup.stores", String.join("\n", stores.stream().map(Path::toString).toList()));
        save();
    }

    public synchronized boolean darkTheme() {
        return Boolean.parseBoolean(values.getProperty("theme.dark", "false"));
    }

    public synchronized void setDarkTheme(boolean dark) {
        values.setProperty("theme.dark", Boolean.toString(dark));
        save();
    }

    /** Whether opening the demo pool starts its verified workload on the STD (off until chosen). */
    public synchronized boolean demoWorkload() {
        return Boolean.parseBoolean(values.getProperty("demo.workload", "false"));
    }

    public synchronized void setDemoWorkload(boolean run) {
        values.setProperty("demo.workload", Boolean.toString(run));
        save();
    }

    private double number(String key, double otherwise) {
        try {
            String s = values.getProperty(key);
            return s == null ? otherwise : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Writes the file whole and renames it over the old one, so a crash never leaves half a file. */
    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                values.store(out, "Splitpoint app preferences");
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException e) {
            // preferences are a convenience: the app works without them
            LOG.log(System.Logger.Level.WARNING, "could not save preferences to " + file + ": " + e.getMessage());
        }
    }
}
