package org.splitpoint.app.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.time.Instant;
import java.util.List;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * An event is one line of the log, whatever its message holds: a backup store's path with a
 * newline in it (the file system allows one) made one event look like two, the second line saying
 * what no event said. The CLI escapes such characters in its text (OneLine); the app's log does too.
 */
@ExtendWith(ApplicationExtension.class)
class EventsOneLineFxTest {

    private final EventsViewModel vm = new EventsViewModel();

    @Start
    void start(Stage stage) {
        EventsView view = new EventsView();
        view.bind(vm);
        stage.setScene(new javafx.scene.Scene(view, 900, 300));
        stage.show();
    }

    @Test
    void aMessageWithANewlineIsShownOnOneLine(FxRobot robot) throws Exception {
        onFx(() -> {
            vm.add(List.of(new Event(Instant.ofEpochSecond(1_700_000_000L), Severity.WARNING, "BACKUP", "v",
                    "the backup of v into /srv/b\nvolume v FAILED failed: the store is full")));
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        List<String> texts = onFx(() -> robot.lookup(".event-message").queryAllAs(Label.class).stream()
                .map(Label::getText).filter(t -> t != null && !t.isEmpty()).toList());
        assertThat(texts).containsExactly("the backup of v into /srv/b\\nvolume v FAILED failed: the store is full");
    }
}
