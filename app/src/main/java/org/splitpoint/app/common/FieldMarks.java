package org.splitpoint.app.common;

import javafx.beans.value.ObservableValue;
import javafx.scene.Node;
import javafx.scene.control.Control;
import org.controlsfx.validation.ValidationResult;
import org.controlsfx.validation.ValidationSupport;
import org.controlsfx.validation.decoration.CompoundValidationDecoration;
import org.controlsfx.validation.decoration.GraphicValidationDecoration;
import org.controlsfx.validation.decoration.StyleClassValidationDecoration;

/**
 * A dialog's fields marked while their problem stands, with ControlsFX validation decoration: an
 * error mark at the field with the problem's sentence as its tooltip, and the {@code error} style
 * class (a red border, PoolView.css). The sentence itself comes from the form (the engine's words);
 * this only says where it applies. The marks are drawn on {@link #layer}, which must hold the
 * dialog's content: without it ControlsFX puts its layer in place of the scene's root, and a dialog
 * then no longer grew to show a problem's sentence (its buttons were cut). A field is marked from the
 * first change of the form on; a problem that stands when the dialog opens is said by the dialog's
 * problem line only (ControlsFX did not draw a mark for a revalidation before the first change).
 * UI thread only.
 */
public final class FieldMarks {

    private final ValidationSupport support = new ValidationSupport();

    public FieldMarks() {
        support.setValidationDecorator(new CompoundValidationDecoration(new MarkBesideTickBoxes(),
                new StyleClassValidationDecoration()));
    }

    /**
     * ControlsFX's error mark, at a field's lower left corner as it draws it, but beside a tick box's
     * words: at the corner it covered the box to be ticked ('I know the drives are thin'), the one
     * thing the mark asks for.
     */
    private static final class MarkBesideTickBoxes extends GraphicValidationDecoration {
        /** Room between the tick box's words and the mark, px. */
        private static final double GAP = 14;

        @Override
        protected java.util.Collection<org.controlsfx.control.decoration.Decoration> createValidationDecorations(
                org.controlsfx.validation.ValidationMessage message) {
            if (message.getTarget() instanceof javafx.scene.control.CheckBox) {
                return java.util.List.of(new org.controlsfx.control.decoration.GraphicDecoration(createDecorationNode(message),
                        javafx.geometry.Pos.CENTER_RIGHT, GAP, 0));
            }
            return super.createValidationDecorations(message);
        }
    }

    /** Marks {@code field} while {@code problem} is a sentence (not null or empty). */
    public FieldMarks mark(Control field, ObservableValue<String> problem) {
        support.registerValidator(field, false, (Control c, Object value) -> {
            String why = problem.getValue();
            return ValidationResult.fromErrorIf(c, why, why != null && !why.isEmpty());
        });
        // the problem can follow other fields (a size too large for the drives ticked), not only this one's value
        problem.addListener((o, was, now) -> support.revalidate(field));
        return this;
    }

    /** The layer the marks are drawn on, holding {@code content}: the dialog's content in its place. */
    public Node layer(Node content) {
        impl.org.controlsfx.skin.DecorationPane layer = new impl.org.controlsfx.skin.DecorationPane();
        layer.setRoot(content);
        layer.getProperties().put(FieldMarks.class, this); // held as long as the dialog
        return layer;
    }
}
