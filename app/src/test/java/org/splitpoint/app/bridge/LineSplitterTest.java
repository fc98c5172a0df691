package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A command's output reaches the app in frames that need not end on a line (the holder sends what
 * it wrote as it wrote it): each line is handed over whole, as soon as its newline came, and a
 * character split between two frames is decoded whole.
 */
class LineSplitterTest {

    @Test
    void linesAreHandedOverWholeAsSoonAsTheyEnd() {
        List<String> lines = new ArrayList<>();
        LineSplitter s = new LineSplitter(lines::add);
        byte[] all = "{\"type\":\"step\",\"detail\":\"d2 · OFFLINE\"}\n{\"type\":\"writes\"}\r\n{\"type\":\"res"
                .getBytes(StandardCharsets.UTF_8);
        int cut = "{\"type\":\"step\",\"detail\":\"d2 ".getBytes(StandardCharsets.UTF_8).length + 1; // inside the "·"
        s.write(all, 0, cut);
        assertThat(lines).as("no newline yet").isEmpty();
        s.write(all, cut, all.length - cut);
        assertThat(lines).containsExactly("{\"type\":\"step\",\"detail\":\"d2 · OFFLINE\"}", "{\"type\":\"writes\"}");
        s.write('u');
        s.write('l');
        s.write('t');
        s.write('"');
        s.write('}');
        assertThat(lines).hasSize(2);
        s.close();
        assertThat(lines).as("the last line, without its newline, at the end").hasSize(3)
                .last().isEqualTo("{\"type\":\"result\"}");
        s.close();
        assertThat(lines).as("once").hasSize(3);
    }
}
