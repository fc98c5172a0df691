package org.splitpoint.app.common;

import javafx.scene.control.OverrunStyle;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.Tooltip;
import javafx.util.Callback;

/**
 * A table cell of text that a narrow column may cut ("prod@befor…"): its tooltip holds the whole
 * text, so the rest is a hover away rather than a column drag.
 */
public final class WholeTextCell<R> extends TableCell<R, String> {

    private final Tooltip tip = new Tooltip();

    private WholeTextCell(OverrunStyle overrun) {
        setTextOverrun(overrun);
    }

    /** Cells cut at {@code overrun} (CENTER_ELLIPSIS keeps a name's tail, where "@snapshot (ro)" is). */
    public static <R> Callback<TableColumn<R, String>, TableCell<R, String>> factory(OverrunStyle overrun) {
        return c -> new WholeTextCell<>(overrun);
    }

    @Override
    protected void updateItem(String text, boolean empty) {
        super.updateItem(text, empty);
        if (empty || text == null || text.isEmpty()) {
            setText(null);
            setTooltip(null);
            return;
        }
        setText(text);
        tip.setText(text);
        setTooltip(tip);
    }
}
