package org.splitpoint.app.common;

import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableStringValue;
import javafx.scene.Node;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tooltip;
import javafx.util.Duration;

/**
 * Binds controls to an action's "why not" text from a view model: empty means allowed. A disabled
 * control gets no mouse events, so the tooltip goes on a wrapper around the button; it says what
 * the action does when allowed and why not when disabled. Menu items carry the reason in their text.
 * The reason names the app's buttons where the engine's rule names a CLI verb ({@link AppWords}).
 */
public final class Actions {

    private Actions() {
    }

    public static void bind(ButtonBase button, Node wrapper, ObservableStringValue engineWhyNot, String does) {
        ObservableStringValue whyNot = inAppWords(engineWhyNot);
        button.disableProperty().bind(Bindings.isNotEmpty(whyNot));
        Tooltip tip = new Tooltip();
        tip.setShowDelay(Duration.millis(250));
        tip.setWrapText(true);
        tip.setMaxWidth(420);
        tip.textProperty().bind(Bindings.when(Bindings.isEmpty(whyNot)).then(does)
                .otherwise(Bindings.concat("Not now: ", whyNot)));
        Tooltip.install(wrapper, tip);
    }

    /**
     * A button that becomes its opposite once pressed (Pause, which then reads Resume) takes no
     * second click of a double-click: it paused a copy and resumed it at once, the job running on
     * while the administrator meant it paused. The second press is dropped before the button arms,
     * so it does not fire; a later single click acts as usual.
     */
    public static void ignoreSecondClick(ButtonBase button) {
        button.addEventFilter(javafx.scene.input.MouseEvent.MOUSE_PRESSED, e -> {
            if (e.getClickCount() > 1) {
                e.consume();
            }
        });
    }

    public static void bind(MenuItem item, ObservableStringValue engineWhyNot, String label) {
        ObservableStringValue whyNot = inAppWords(engineWhyNot);
        item.disableProperty().bind(Bindings.isNotEmpty(whyNot));
        item.textProperty().bind(Bindings.when(Bindings.isEmpty(whyNot)).then(label)
                .otherwise(Bindings.concat(label, "  (", whyNot, ")")));
    }

    /** A "why not" (often the engine's rule, worded for the CLI) naming the app's buttons ({@link AppWords}). */
    private static ObservableStringValue inAppWords(ObservableStringValue whyNot) {
        return Bindings.createStringBinding(() -> AppWords.of(whyNot.get()), whyNot);
    }
}
