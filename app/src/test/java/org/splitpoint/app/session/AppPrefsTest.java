package org.splitpoint.app.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the app remembers: window bounds, last and recent pools (only those still there), the theme. */
class AppPrefsTest {

    @TempDir
    Path tmp;
    private final Preferences node = Preferences.userRoot().node("org/splitpoint/test-" + System.nanoTime());
    private final AppPrefs prefs = new AppPrefs(node);

    @AfterEach
    void clean() throws Exception {
        node.removeNode();
    }

    private Path pool(String name) throws Exception {
        Path p = tmp.resolve(name);
        Files.createDirectories(p);
        Files.writeString(p.resolve("pool.json"), "{}");
        return p;
    }

    @Test
    void boundsAreRememberedAndAbsentAtFirst() {
        assertThat(prefs.bounds()).isNull();
        prefs.saveBounds(new AppPrefs.Bounds(10, 20, 1300, 800, false));
        assertThat(prefs.bounds()).isEqualTo(new AppPrefs.Bounds(10, 20, 1300, 800, false));
    }

    @Test
    void recentPoolsAreNewestFirstWithoutDuplicatesOrVanishedOnes() throws Exception {
        Path a = pool("a");
        Path b = pool("b");
        Path c = pool("c");
        prefs.opened(a);
        prefs.opened(b);
        prefs.opened(c);
        prefs.opened(a);
        Files.delete(b.resolve("pool.json"));

        assertThat(prefs.recentPools()).containsExactly(a, c);
        assertThat(prefs.lastPool()).isEqualTo(a);
    }

    @Test
    void theThemeIsRemembered() {
        assertThat(prefs.darkTheme()).isFalse();
        prefs.setDarkTheme(true);
        assertThat(new AppPrefs(node).darkTheme()).isTrue();
    }
}
