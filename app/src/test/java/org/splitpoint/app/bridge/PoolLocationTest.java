package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which pool the app opens: argument, system property, XDG data dir, home. */
class PoolLocationTest {

    private static PoolLocation resolve(List<String> args, Map<String, String> props, Map<String, String> env) {
        return PoolLocation.resolve(args, props::get, env::get);
    }

    @Test
    void aPathArgumentWins() {
        PoolLocation l = resolve(List.of("--verbose", "/srv/pools/p1"), Map.of("splitpoint.pool", "/other",
                "user.home", "/home/a"), Map.of());
        assertThat(l).isEqualTo(new PoolLocation(Path.of("/srv/pools/p1"), false));
    }

    @Test
    void theSystemPropertyIsUsedWithoutAnArgument() {
        PoolLocation l = resolve(List.of(), Map.of("splitpoint.pool", "/srv/p2", "user.home", "/home/a"), Map.of());
        assertThat(l).isEqualTo(new PoolLocation(Path.of("/srv/p2"), false));
    }

    @Test
    void theDemoPoolLivesUnderXdgDataHome() {
        PoolLocation l = resolve(List.of(), Map.of("user.home", "/home/a"), Map.of("XDG_DATA_HOME", "/data"));
        assertThat(l).isEqualTo(new PoolLocation(Path.of("/data/splitpoint/demo-pool"), true));
    }

    @Test
    void theDemoPoolDefaultsToLocalShareInHome() {
        PoolLocation l = resolve(List.of(), Map.of("user.home", "/home/a"), Map.of("XDG_DATA_HOME", "relative"));
        assertThat(l).isEqualTo(new PoolLocation(Path.of("/home/a/.local/share/splitpoint/demo-pool"), true));
    }

    @Test
    void theDemoPoolFollowsHomeRatherThanThePasswdHome() {
        PoolLocation l = resolve(List.of(), Map.of("user.home", "/home/a"), Map.of("HOME", "/tmp/fresh"));
        assertThat(l).isEqualTo(new PoolLocation(Path.of("/tmp/fresh/.local/share/splitpoint/demo-pool"), true));
    }
}
