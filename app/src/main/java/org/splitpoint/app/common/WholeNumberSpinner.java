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
 * the value it had; a number out of range is brought into it by the value factory, as before, unless
 * the factory is {@link #arrowsWithin}'s.
 * UI thread only.
 */
public final class WholeNumberSpinner {

    private WholeNumberSpinner() {
    }

    /**
     * A value factory whose arrows step within {@code min..max} but which takes a typed number as
     * typed, for a form that says why a number out of range cannot be used: the drill's "Writes for"
     * turned a typed 99999 into 600 without a word (IntegerSpinnerValueFactory brings every value
     * into its range). Step 0 (the commit of typed text on focus loss) changes nothing.
     */
    public static SpinnerValueFactory<Integer> arrowsWithin(int min, int max, int initial) {
        SpinnerValueFactory<Integer> f = new SpinnerValueFactory<>() {
            @Override
            public void decrement(int steps) {
                step(-steps);
            }

            @Override
            public void increment(int steps) {
                step(steps);
            }

            private void step(int by) {
                if (by != 0) {
                    long next = (long) (getValue() == null ? min : getValue()) + by;
                    setValue((int) Math.max(min, Math.min(max, next)));
                }
            }
        };
        f.setValue(initial);
        return f;
    }

    /**
     * Makes {@code s} take digits only, and a minus sign first: "-3" was taken as 3 (the sign dropped
     * in silence, h132 by hand); now it is -3, which a form refuses in words ({@link #arrowsWithin}'s
     * factory keeps it as typed) or the factory's range brings in. Call after its value factory is
     * set (its converter is replaced).
     */
    public static void digitsOnly(Spinner<Integer> s) {
        s.getEditor().setTextFormatter(new TextFormatter<String>(
                change -> change.getControlNewText().matches("-?\\d{0,9}") ? change : null));
        SpinnerValueFactory<Integer> f = s.getValueFactory();
        f.setConverter(new StringConverter<>() {
            @Override
            public String toString(Integer value) {
                return value == null ? "" : value.toString();
            }

            @Override
            public Integer fromString(String text) {
                if (text == null || text.isBlank() || text.trim().equals("-")) {
                    Integer kept = f.getValue();
                    s.getEditor().setText(toString(kept)); // the value does not change, so nothing else redraws it
                    return kept;
                }
                return Integer.valueOf(text.trim());
            }
        });
    }
}
