package org.splitpoint.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Help › Keyboard shortcuts list names every accelerator the app's sources set, and nothing else. */
class ShortcutsListTest {

    @Test
    void theShortcutsListHasEveryAcceleratorOfTheApp() throws Exception {
        Set<String> set = new TreeSet<>();
        Pattern accel = Pattern.compile("\"(Shortcut\\+[A-Za-z0-9+]+|F\\d+)\"");
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
                Matcher m = accel.matcher(Files.readString(f));
                while (m.find()) {
                    set.add(m.group(1).replace("Shortcut+", "Ctrl+"));
                }
            }
        }
        List<String> listed = Arrays.stream(MainMenu.SHORTCUTS).filter(s -> s[1] != null && s[0].matches("(Ctrl\\+|F\\d).*"))
                .map(s -> s[0]).collect(Collectors.toList());
        assertThat(set).isNotEmpty();
        assertThat(new TreeSet<>(listed)).isEqualTo(set);
    }
}
