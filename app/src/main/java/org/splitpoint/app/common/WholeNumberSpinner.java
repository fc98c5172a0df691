package org.splitpoint.app.common;

import javafx.animation.PauseTransition;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextFormatter;
import javafx.scene.control.Tooltip;
import javafx.util.Duration;
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
     * factory keeps it as typed) or the factory's range brings in. A key that is no digit is not
     * taken, and a note under the field says so (as a number-only edit field does on Windows); a
     * fraction may be typed, but is not taken: "1.5" became 15 without a word (the point refused,
     * the 5 kept), so the field goes back to its value and the note says why. {@code unit} names
     * what is counted ("seconds", "drives"). Call after its value factory is set (its converter is
     * replaced).
     */
    public static void digitsOnly(Spinner<Integer> s, String unit) {
        s.getEditor().setTextFormatter(new TextFormatter<String>(change -> {
            if (change.getControlNewText().matches("-?\\d{0,9}([.,]\\d{0,9})?")) {
                return change;
            }
            refuse(s, "Whole " + unit + " only: '" + change.getText() + "' is not taken.");
            return null;
        }));
        SpinnerValueFactory<Integer> f = s.getValueFactory();
        f.setConverter(new StringConverter<>() {
            @Override
            public String toString(Integer value) {
                return value == null ? "" : value.toString();
            }

            @Override
            public Integer fromString(String text) {
                String t = text == null ? "" : text.trim();
                if (t.contains(".") || t.contains(",")) {
                    String whole = t.replaceAll("[.,]0*$", "");
                    if (whole.matches("-?\\d{1,9}")) {
                        return Integer.valueOf(whole); // "5.0", "5." are 5
                    }
                    refuse(s, "Whole " + unit + " only: " + t + " is not taken; " + toString(f.getValue()) + " stays.");
                    return keep();
                }
                if (t.isEmpty() || t.equals("-")) {
                    return keep();
                }
                return Integer.valueOf(t);
            }

            private Integer keep() {
                Integer kept = f.getValue();
                s.getEditor().setText(toString(kept)); // the value does not change, so nothing else redraws it
                return kept;
            }
        });
    }

    /** The note under {@code s} saying what was not taken, while it shows; else null. For tests. */
    public static String refusalShown(Spinner<Integer> s) {
        Object t = s.getProperties().get(NOTE);
        return t instanceof Tooltip tip && tip.isShowing() ? tip.getText() : null;
    }

    private static final String NOTE = "splitpoint.refusal";

    private static void refuse(Spinner<Integer> s, String words) {
        Tooltip tip = (Tooltip) s.getProperties().computeIfAbsent(NOTE, k -> new Tooltip());
        tip.setText(words);
        javafx.geometry.Bounds b = s.localToScreen(s.getBoundsInLocal());
        if (b == null || s.getScene() == null || s.getScene().getWindow() == null) {
            return; // not on screen: nothing to say it under
        }
        tip.show(s, b.getMinX(), b.getMaxY() + 2);
        PauseTransition hide = (PauseTransition) s.getProperties().computeIfAbsent(NOTE + ".hide",
                k -> new PauseTransition(Duration.seconds(4)));
        hide.setOnFinished(e -> tip.hide());
        hide.playFromStart();
    }
}
