package org.splitpoint.app.events;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.fxml.FXML;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.pool.OneLine;

/**
 * The event log, newest first: time, severity (glyph + word), source, message (red for a critical
 * event, amber for a warning: an invalid snapshot, a save area filling up); filtered by severity.
 * FXML: EventsView.fxml.
 */
public final class EventsView extends VBox {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM d HH:mm:ss").withZone(ZoneId.systemDefault());

    @FXML private ListView<Event> eventsList;
    @FXML private ChoiceBox<Severity> severityFilter;

    public EventsView() {
        Fxml.load(this, "EventsView");
    }

    public void bind(EventsViewModel vm) {
        eventsList.setItems(vm.events());
        eventsList.setCellFactory(l -> new EventCell());
        severityFilter.getItems().setAll(Severity.values());
        severityFilter.setConverter(new StringConverter<>() {
            @Override
            public String toString(Severity s) {
                return s == null ? "" : switch (s) {
                    case INFO -> "all";
                    case WARNING -> "warnings and worse";
                    case CRITICAL -> "critical only";
                };
            }

            @Override
            public Severity fromString(String s) {
                return null;
            }
        });
        severityFilter.valueProperty().bindBidirectional(vm.minimumProperty());
        severityFilter.setTooltip(new Tooltip("Show only events at least this severe."));
    }

    /** A source longer than this many characters is shown in {@link #SOURCE_MAX} pixels, cut in the middle. */
    private static final int SOURCE_CHARS = 28;
    private static final double SOURCE_MAX = 220;
    private static final javafx.css.PseudoClass CRITICAL = javafx.css.PseudoClass.getPseudoClass("critical");
    private static final javafx.css.PseudoClass WARNING = javafx.css.PseudoClass.getPseudoClass("warning");

    private static final class EventCell extends ListCell<Event> {
        private final Label time = new Label();
        private final StateBadge severity = new StateBadge();
        private final Label source = new Label();
        private final Label message = new Label();
        private final HBox box = new HBox(8, time, severity, source, message);
        private final Tooltip tip = new Tooltip();

        EventCell() {
            time.getStyleClass().add("event-time");
            severity.getStyleClass().add("event-severity");
            severity.setMinWidth(86);
            source.getStyleClass().add("event-source");
            source.setMinWidth(Region.USE_PREF_SIZE);
            source.setMaxWidth(SOURCE_MAX); // a snapshot's "volume@before-restore-…" leaves the message its room
            source.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS);
            message.getStyleClass().add("event-message");
            box.getStyleClass().add("event-cell");
            message.setMinWidth(0); // ellipsize long messages instead of scrolling sideways
            HBox.setHgrow(message, Priority.ALWAYS);
            time.setMinWidth(Region.USE_PREF_SIZE);
            tip.setWrapText(true);
            tip.setMaxWidth(520);
            setPrefWidth(0);
        }

        @Override
        protected void updateItem(Event e, boolean empty) {
            super.updateItem(e, empty);
            if (empty || e == null) {
                setGraphic(null);
                setTooltip(null);
            } else {
                time.setText(TIME.format(e.time()));
                severity.show(StateLook.of(e.severity()));
                source.setText(e.source());
                // past SOURCE_MAX the source is cut in the middle; its whole name is in the tooltip
                source.setMinWidth(e.source() != null && e.source().length() > SOURCE_CHARS ? SOURCE_MAX : Region.USE_PREF_SIZE);
                box.pseudoClassStateChanged(CRITICAL, e.severity() == Severity.CRITICAL);
                box.pseudoClassStateChanged(WARNING, e.severity() == Severity.WARNING);
                // one event, one line: a path with a newline in it made one look like two (OneLine)
                message.setText(OneLine.of(e.message()));
                tip.setText(TIME.format(e.time()) + "  " + e.severity() + "  " + e.type() + " (" + OneLine.of(e.source())
                        + ")\n" + OneLine.of(e.message()));
                setTooltip(tip);
                setGraphic(box);
            }
        }
    }
}
