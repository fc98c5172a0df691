package org.splitpoint.app.events;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.engine.event.Event;

/**
 * The event log, newest first: the pool's log at startup, then live events. Progress ticks are left
 * out (they are not logged either); an event seen both in the log and live is shown once.
 */
public final class EventsViewModel {

    public static final int MAX = 300;

    private final ObservableList<Event> events = FXCollections.observableArrayList();
    private final ObservableList<Event> eventsView = FXCollections.unmodifiableObservableList(events);
    private final Set<Event> shown = new HashSet<>();

    public ObservableList<Event> events() {
        return eventsView;
    }

    /** Adds a batch of events (UI thread). */
    public void add(List<Event> batch) {
        List<Event> fresh = new ArrayList<>();
        for (Event e : batch) {
            if (!"JOB_PROGRESS".equals(e.type()) && shown.add(e)) {
                fresh.add(e);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        List<Event> all = new ArrayList<>(events);
        all.addAll(fresh);
        all.sort(Comparator.comparing(Event::time).reversed());
        if (all.size() > MAX) {
            all.subList(MAX, all.size()).clear();
        }
        shown.retainAll(all);
        events.setAll(all);
    }
}
