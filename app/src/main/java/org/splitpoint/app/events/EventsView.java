package org.splitpoint.app.events;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.fxml.FXML;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.event.Event;

/** The event log, newest first: time, severity glyph, message. FXML: EventsView.fxml. */
public final class EventsView extends VBox {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM d HH:mm:ss").withZone(ZoneId.systemDefault());

    @FXML private ListView<Event> eventsList;

    public EventsView() {
        Fxml.load(this, "EventsView");
    }

    public void bind(EventsViewModel vm) {
        eventsList.setItems(vm.events());
        eventsList.setCellFactory(l -> new EventCell());
    }

    private static final class EventCell extends ListCell<Event> {
        private final Label time = new Label();
        private final StateBadge severity = new StateBadge();
        private final Label message = new Label();
        private final HBox box = new HBox(8, time, severity, message);
        private final Tooltip tip = new Tooltip();

        EventCell() {
            time.getStyleClass().add("event-time");
            severity.getStyleClass().add("event-severity");
            message.getStyleClass().add("event-message");
            box.getStyleClass().add("event-cell");
            message.setMinWidth(0); // ellipsize long messages instead of scrolling sideways
            javafx.scene.layout.HBox.setHgrow(message, javafx.scene.layout.Priority.ALWAYS);
            time.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
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
                StateLook look = StateLook.of(e.severity());
                severity.show(new StateLook("", look.glyph(), look.tone()));
                message.setText(e.message());
                tip.setText(e.severity() + " " + e.type() + " (" + e.source() + "): " + e.message());
                setTooltip(tip);
                setGraphic(box);
            }
        }
    }
}
