package org.splitpoint.app.session;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * What the app remembers between runs (java.util.prefs, user node {@code org/splitpoint/app}): the
 * window's bounds, the last pool and the recent ones, the theme, the backup stores in use. Tests pass a node of their own.
 */
public final class AppPrefs {

    static final int RECENT = 6;

    /** A window's place and size. */
    public record Bounds(double x, double y, double width, double height, boolean maximized) { }

    private final Preferences node;

    public AppPrefs(Preferences node) {
        this.node = node;
    }

    /** The user's preferences. */
    public static AppPrefs user() {
        return new AppPrefs(Preferences.userRoot().node("org/splitpoint/app"));
    }

    public Bounds bounds() {
        double w = node.getDouble("window.width", -1);
        if (w <= 0) {
            return null;
        }
        return new Bounds(node.getDouble("window.x", 0), node.getDouble("window.y", 0), w,
                node.getDouble("window.height", 780), node.getBoolean("window.maximized", false));
    }

    public void saveBounds(Bounds b) {
        node.putDouble("window.x", b.x());
        node.putDouble("window.y", b.y());
        node.putDouble("window.width", b.width());
        node.putDouble("window.height", b.height());
        node.putBoolean("window.maximized", b.maximized());
        flush();
    }

    /** The pool opened last, if it still is a pool. */
    public Path lastPool() {
        String s = node.get("pool.last", null);
        Path p = s == null ? null : Path.of(s);
        return p != null && Files.isRegularFile(p.resolve("pool.json")) ? p : null;
    }

    /** Recent pools, newest first (those that no longer exist are dropped). */
    public List<Path> recentPools() {
        List<Path> out = new ArrayList<>();
        for (String s : node.get("pool.recent", "").split("\n")) {
            if (!s.isBlank() && Files.isRegularFile(Path.of(s).resolve("pool.json"))) {
                out.add(Path.of(s));
            }
        }
        return out;
    }

    /** Remembers {@code dir} as the last pool and first of the recent ones. */
    public void opened(Path dir) {
        List<Path> recent = recentPools();
        recent.remove(dir);
        recent.add(0, dir);
        List<String> keep = recent.stream().limit(RECENT).map(Path::toString).toList();
        node.put("pool.last", dir.toString());
        node.put("pool.recent", String.join("\n", keep));
        flush();
    }

    /** The backup stores the administrator added (Backups view), in the order added. */
    public List<Path> backupStores() {
        List<Path> out = new ArrayList<>();
        for (String s : node.get("backup.stores", "").split("\n")) {
            if (!s.isBlank()) {
                out.add(Path.of(s));
            }
        }
        return out;
    }

    public void saveBackupStores(List<Path> stores) {
        node.put("backup.stores", String.join("\n", stores.stream().map(Path::toString).toList()));
        flush();
    }

    public boolean darkTheme() {
        return node.getBoolean("theme.dark", false);
    }

    public void setDarkTheme(boolean dark) {
        node.putBoolean("theme.dark", dark);
        flush();
    }

    private void flush() {
        try {
            node.flush();
        } catch (BackingStoreException e) {
            // preferences are a convenience: the app works without them
        }
    }
}
