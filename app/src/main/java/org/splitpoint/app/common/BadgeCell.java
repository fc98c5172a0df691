package org.splitpoint.app.common;

import java.util.function.Function;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.TableCell;

/** A table cell that shows a state as a {@link StateBadge} (glyph + word + colour). */
public final class BadgeCell<R, T> extends TableCell<R, T> {

    private final StateBadge badge = new StateBadge();
    private final Function<T, StateLook> look;

    public BadgeCell(Function<T, StateLook> look) {
        this.look = look;
        setContentDisplay(ContentDisplay.GRAPHIC_ONLY);
    }

    @Override
    protected void updateItem(T item, boolean empty) {
        super.updateItem(item, empty);
        if (empty || item == null) {
            setGraphic(null);
            setText(null);
        } else {
            badge.show(look.apply(item));
            setText(badge.text()); // for lookups and accessibility; only the graphic is displayed
            setGraphic(badge);
        }
    }
}
