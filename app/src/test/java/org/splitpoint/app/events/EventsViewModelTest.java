package org.splitpoint.app.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;

/** Event log model: order, filtering of progress ticks and by severity, de-duplication, cap, the app's words. */
class EventsViewModelTest {

    private final EventsViewModel vm = new EventsViewModel();

    private static Event at(long second, String type, String message) {
        return new Event(Instant.ofEpochSecond(1_700_000_000L + second), Severity.INFO, type, "x", message);
    }

    @Test
    void newestComesFirstAcrossBatches() {
        vm.add(List.of(at(1, "DRIVE_STATE", "one"), at(3, "DRIVE_STATE", "three")));
        vm.add(List.of(at(2, "DRIVE_STATE", "two")));

        assertThat(vm.events()).extracting(Event::message).containsExactly("three", "two", "one");
    }

    @Test
    void aStepTheAppHasAButtonForIsNamedByTheButtonNotTheCliVerb() {
        // the engine's event, shared with the CLI: a GUI user was told to type a command
        vm.add(List.of(at(1, "SERVICE_STEP", "firmware of d1 done (download, verify, activate, reset) in 4.2 s;"
                + " bring it back with 'drive online'")));
        vm.add(List.of(at(1, "SERVICE_STEP", "firmware of d1 done (download, verify, activate, reset) in 4.2 s;"
                + " bring it back with 'drive online'"))); // the same event live: still shown once

        assertThat(vm.events()).extracting(Event::message).containsExactly("firmware of d1 done (download, verify,"
                + " activate, reset) in 4.2 s; bring it back with 'Bring online' in the drive bay");
    }

    @Test
    void progressTicksAreLeftOut() {
        vm.add(List.of(at(1, "JOB_PROGRESS", "rebuild 5%"), at(2, "JOB_FINISHED", "rebuild finished")));

        assertThat(vm.events()).extracting(Event::message).containsExactly("rebuild finished");
    }

    @Test
    void anEventSeenInTheLogAndLiveIsShownOnce() {
        Event e = at(1, "VOLUME_STATE", "volume db is DEGRADED");
        vm.add(List.of(e));
        vm.add(List.of(at(1, "VOLUME_STATE", "volume db is DEGRADED")));

        assertThat(vm.events()).hasSize(1);
    }

    @Test
    void onlyTheNewestAreKept() {
        List<Event> many = new ArrayList<>();
        for (int i = 0; i < EventsViewModel.MAX + 20; i++) {
            many.add(at(i, "DRIVE_STATE", "e" + i));
        }
        vm.add(many);

        assertThat(vm.events()).hasSize(EventsViewModel.MAX);
        assertThat(vm.events().get(0).message()).isEqualTo("e" + (EventsViewModel.MAX + 19));
    }

    @Test
    void theSeverityFilterShowsOnlyEventsAtLeastThatSevere() {
        vm.add(List.of(at(1, "DRIVE_STATE", "info"),
                new Event(Instant.ofEpochSecond(1_700_000_002L), Severity.WARNING, "VOLUME_STATE", "prod", "warn"),
                new Event(Instant.ofEpochSecond(1_700_000_003L), Severity.CRITICAL, "DRIVE_STATE", "d3", "crit")));

        vm.minimumProperty().set(Severity.WARNING);
        assertThat(vm.events()).extracting(Event::message).containsExactly("crit", "warn");
        vm.minimumProperty().set(Severity.CRITICAL);
        assertThat(vm.events()).extracting(Event::message).containsExactly("crit");
        vm.minimumProperty().set(Severity.INFO);
        assertThat(vm.events()).hasSize(3);
    }
}
