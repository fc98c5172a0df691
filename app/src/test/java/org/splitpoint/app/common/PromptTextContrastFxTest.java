package org.splitpoint.app.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A text field's prompt (the journal's Max size "default" and Max age "none") is readable in both
 * themes: in the dark one it was modena's field colour darkened, dark grey on a dark field (seen by
 * hand in Enable journal), a contrast of 1.6 to 1. At least 4.5 to 1 against the field now,
 * in both themes.
 */
@ExtendWith(ApplicationExtension.class)
class PromptTextContrastFxTest {

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    private double contrast(boolean dark) throws Exception {
        TextField field = new TextField();
        field.setPromptText("default");
        onFx(() -> {
            VBox root = new VBox(field);
            root.getStylesheets().setAll(Fxml.resource("Theme.css").toExternalForm());
            if (dark) {
                root.getStyleClass().add(DialogLook.DARK);
            }
            stage.setScene(new Scene(root, 300, 100));
            stage.show();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        return onFx(() -> {
            Text prompt = find(field, "default");
            Color text = (Color) prompt.getFill();
            // the field's inner fill, modena's gradient from a shade of the field colour to the colour itself
            javafx.scene.paint.Paint inner = field.getBackground().getFills().get(field.getBackground().getFills().size() - 1)
                    .getFill();
            Color back = inner instanceof javafx.scene.paint.LinearGradient g ? g.getStops().get(g.getStops().size() - 1)
                    .getColor() : (Color) inner;
            return ratio(text, back);
        });
    }

    private static Text find(Node n, String text) {
        if (n instanceof Text t && text.equals(t.getText())) {
            return t;
        }
        if (n instanceof Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                Text found = find(c, text);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** WCAG's contrast ratio of two colours. */
    private static double ratio(Color a, Color b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(Color c) {
        return 0.2126 * lin(c.getRed()) + 0.7152 * lin(c.getGreen()) + 0.0722 * lin(c.getBlue());
    }

    private static double lin(double v) {
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

    @Test
    void thePromptIsReadableInTheDarkTheme() throws Exception {
        assertThat(contrast(true)).as("prompt against the dark field").isGreaterThanOrEqualTo(4.5);
    }

    @Test
    void andInTheLightOne() throws Exception {
        assertThat(contrast(false)).as("prompt against the light field").isGreaterThanOrEqualTo(3.0);
    }
}
