package org.splitpoint.app.common;

import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextFormatter;
import javafx.util.StringConverter;

/**
 * An editable {@code Spinner<Integer>} (seconds of a drill, drives of a new pool) that takes digits
 * only. JavaFX's own converter throws on text that is no number: letters typed in the drill's "Writes
 * for" threw NumberFormatException on the UI thread when the field lost focus, and the field kept
 * "abc" beside a plan that still said 5 s (seen by hand); an emptied field set the value to null, so
 * its arrows then failed. Here a key that is no digit is not taken, and an empty field goes back to
 * the value it had; a number out of range is brought into it by the value factory, as before.
 * UI thread only.
 */
public final class WholeNumberSpinner {

    private WholeNumberSpinner() {
    }

    /** Makes {@code s} take digits only; call after its value factory is set (its converter is replaced). */
    public static void digitsOnly(Spinner<Integer> s) {
        s.getEditor().setTextFormatter(new TextFormatter<String>(
                change -> change.getControlNewText().matches("\\d{0,9}") ? change : null));
        SpinnerValueFactory<Integer> f = s.getValueFactory();
        f.setConverter(new StringConverter<>() {
            @Override
            public String toString(Integer value) {
                return value == null ? "" : value.toString();
            }

            @Override
            public Integer fromString(String text) {
                if (text == null || text.isBlank()) {
                    Integer kept = f.getValue();
                    s.getEditor().setText(toString(kept)); // the value does not change, so nothing else redraws it
                    return kept;
                }
                return Integer.valueOf(text.trim());
            }
        });
    }
}
