package org.splitpoint.app.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the app remembers: window bounds, last and recent pools (only those still there), the theme. */
class AppPrefsTest {

    @TempDir
    Path tmp;
    private AppPrefs prefs;

    @org.junit.jupiter.api.BeforeEach
    void file() {
        prefs = new AppPrefs(tmp.resolve("config/splitpoint/app.properties"));
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
        assertThat(new AppPrefs(prefs.file()).darkTheme()).isTrue();
    }

    @Test
    void theDemoWorkloadIsOffUntilChosenAndThenRemembered() {
        assertThat(prefs.demoWorkload()).isFalse();
        prefs.setDemoWorkload(true);
        assertThat(new AppPrefs(prefs.file()).demoWorkload()).isTrue();
    }

    @Test
    void theFileFollowsXdgConfigHomeThenHomeNotThePasswdHome() {
        Map<String, String> passwd = Map.of("user.home", "/home/other");
        assertThat(AppPrefs.userFile(Map.of("XDG_CONFIG_HOME", "/cfg", "HOME", "/tmp/h")::get, passwd::get))
                .isEqualTo(Path.of("/cfg/splitpoint/app.properties"));
        assertThat(AppPrefs.userFile(Map.of("XDG_CONFIG_HOME", "relative", "HOME", "/tmp/h")::get, passwd::get))
                .isEqualTo(Path.of("/tmp/h/.config/splitpoint/app.properties"));
        assertThat(AppPrefs.userFile(Map.<String, String>of()::get, passwd::get))
                .isEqualTo(Path.of("/home/other/.config/splitpoint/app.properties"));
    }

    @Test
    void aFreshConfigDirectoryRemembersNoPool() throws Exception {
        prefs.opened(pool("a"));
        AppPrefs fresh = new AppPrefs(tmp.resolve("fresh-home/.config/splitpoint/app.properties"));
        assertThat(fresh.lastPool()).isNull();
        assertThat(fresh.recentPools()).isEmpty();
        assertThat(new AppPrefs(prefs.file()).lastPool()).isEqualTo(tmp.resolve("a"));
    }
}
