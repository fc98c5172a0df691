package org.splitpoint.app.events;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.transformation.FilteredList;
import javafx.collections.ObservableList;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;

/**
 * The event log, newest first: the pool's log at startup, then live events, filtered by the least
 * severity to show. Progress ticks are left out (they are not logged either); an event seen both in
 * the log and live is shown once. Messages name the app's buttons where the engine's name CLI verbs
 * ({@link org.splitpoint.app.common.AppWords}).
 */
public final class EventsViewModel {

    public static final int MAX = 300;

    private final ObservableList<Event> events = FXCollections.observableArrayList();
    private final FilteredList<Event> filtered = new FilteredList<>(events);
    private final ObservableList<Event> eventsView = FXCollections.unmodifiableObservableList(filtered);
    private final ObjectProperty<Severity> minimum = new SimpleObjectProperty<>(Severity.INFO);
    private final Set<Event> shown = new HashSet<>();

    public EventsViewModel() {
        filtered.predicateProperty().bind(Bindings.createObjectBinding(() -> {
            Severity min = minimum.get() == null ? Severity.INFO : minimum.get();
            return (Predicate<Event>) e -> e.severity().ordinal() >= min.ordinal();
        }, minimum));
    }

    /** The events shown: newest first, at least {@link #minimumProperty()} severe. */
    public ObservableList<Event> events() {
        return eventsView;
    }

    /** The least severity shown (input): INFO shows all. */
    public ObjectProperty<Severity> minimumProperty() {
        return minimum;
    }

    /** Adds a batch of events (UI thread). */
    public void add(List<Event> batch) {
        List<Event> fresh = new ArrayList<>();
        for (Event engine : batch) {
            Event e = org.splitpoint.app.common.AppWords.of(engine); // the app's buttons where it names CLI verbs
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
