package org.splitpoint.app.backup;

import java.nio.file.Path;
import java.util.function.Function;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.layout.VBox;

/** A store: its path, and what it holds (or why it is no store). */
final class StoreCell extends ListCell<Path> {
    private final Label path = new Label();
    private final Label line = new Label();
    private final VBox box = new VBox(1, path, line);
    private final Function<Path, StoreListing> listing;

    StoreCell(Function<Path, StoreListing> listing) {
        this.listing = listing;
        box.getStyleClass().add("store-cell");
        path.getStyleClass().add("store-path");
        line.getStyleClass().add("store-line");
        path.setMinWidth(0);
        line.setMinWidth(0);
        setPrefWidth(0);
    }

    @Override
    protected void updateItem(Path p, boolean empty) {
        super.updateItem(p, empty);
        if (empty || p == null) {
            setGraphic(null);
            setText(null);
            return;
        }
        StoreListing l = listing.apply(p);
        path.setText(p.toString());
        line.setText(l == null ? "reading…" : l.summary());
        line.getStyleClass().remove("store-problem");
        if (l != null && l.problem() != null) {
            line.getStyleClass().add("store-problem");
        }
        setGraphic(box);
    }
}
