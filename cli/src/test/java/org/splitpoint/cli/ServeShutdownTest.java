package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** serve's shutdown closes every step, whatever an earlier one did. */
class ServeShutdownTest {

    @Test
    void aServerWhoseCloseFailsStillClosesTheControlSocketAndThePool() {
        List<String> closed = new ArrayList<>();
        StringWriter said = new StringWriter();
        ServeCommand.closeEach(new PrintWriter(said),
                () -> closed.add("image check"),
                () -> {
                    throw new IOException("flush of export prod failed: Input/output error");
                },
                () -> closed.add("control"),
                () -> {
                    throw new IllegalStateException("event log drain interrupted");
                },
                () -> closed.add("pool"));
        assertThat(closed).containsExactly("image check", "control", "pool");
        assertThat(said.toString())
                .contains("splitpoint: shutdown: flush of export prod failed: Input/output error")
                .contains("splitpoint: shutdown: event log drain interrupted");
    }
}
