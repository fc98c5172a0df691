package org.splitpoint.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code splitpoint gui} before JavaFX starts: usage for --help, one sentence and exit 2 for no display or bad arguments. */
class GuiCommandTest {

    private static final Map<String, String> DESKTOP = Map.of("DISPLAY", ":0");
    private static final Map<String, String> NO_PROPS = Map.of();

    private static GuiCommand.Decision decide(List<String> args, Map<String, String> env, Map<String, String> props) {
        return GuiCommand.decide(args, env::get, props::get);
    }

    @Test
    void helpAnswersTheUsageAndExitsZero() {
        for (String h : List.of("--help", "-h")) {
            GuiCommand.Decision d = decide(List.of(h), Map.of(), NO_PROPS);
            assertThat(d.start()).isFalse();
            assertThat(d.exitCode()).isZero();
            assertThat(d.text()).startsWith("usage: splitpoint gui [POOL]");
        }
    }

    @Test
    void withoutADisplayItSaysSoInOneSentenceAndExitsTwo() {
        GuiCommand.Decision d = decide(List.of(), Map.of("HOME", "/tmp/h"), NO_PROPS);
        assertThat(d.start()).isFalse();
        assertThat(d.exitCode()).isEqualTo(2);
        assertThat(d.text()).startsWith("splitpoint gui: no graphical display (DISPLAY is not set)").doesNotContain("\n");
    }

    @Test
    void aPoolArgumentStartsWithADisplayOrWaylandOrUnderMonocle() {
        assertThat(decide(List.of("/srv/pool"), DESKTOP, NO_PROPS).start()).isTrue();
        assertThat(decide(List.of(), Map.of("WAYLAND_DISPLAY", "wayland-0"), NO_PROPS).start()).isTrue();
        assertThat(decide(List.of(), Map.of(), Map.of("glass.platform", "Monocle")).start()).isTrue();
    }

    @Test
    void anUnknownOptionOrTwoPoolsAreUsageErrors() {
        GuiCommand.Decision d = decide(List.of("--fast"), DESKTOP, NO_PROPS);
        assertThat(d.exitCode()).isEqualTo(2);
        assertThat(d.text()).startsWith("splitpoint gui: unknown option '--fast'");
        assertThat(decide(List.of("/a", "/b"), DESKTOP, NO_PROPS).text()).startsWith("splitpoint gui: one pool at a time");
    }
}
