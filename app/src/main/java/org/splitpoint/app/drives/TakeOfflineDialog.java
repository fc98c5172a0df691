package org.splitpoint.app.drives;

import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.StringConverter;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;

/**
 * "Take offline": the reason and the log mode as choice boxes, each with the line saying what it
 * means; Take offline waits for the engine, and a refusal is shown in its words without closing
 * ({@link TakeOfflineForm}). Ids: {@code #offlineReason}, {@code #offlineMode}, {@code #offlineReasonLine},
 * {@code #offlineModeLine}, {@code #offlineRefused}, {@code #offlineTake}, {@code #offlineCancel}.
 */
public final class TakeOfflineDialog {

    private TakeOfflineDialog() {
    }

    /** Shows the dialog and waits; true when the drive went offline. */
    public static boolean ask(Window owner, TakeOfflineForm form) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle("Take drive " + form.drive() + " offline");
        d.setHeaderText("Take " + form.drive() + " offline for service");
        d.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.PAUSE, StateLook.Tone.SERVICE)));

        Label what = new Label(form.drive() + " stops being read and written" + (form.volume() == null ? "."
                : "; volume " + form.volume() + " goes SERVICE and keeps serving, without its redundancy until "
                + form.drive() + " is back. What is written meanwhile is kept as the log mode says, and only that is"
                + " copied to " + form.drive() + " when you bring it online."));
        what.setWrapText(true);
        what.setMinHeight(Label.USE_PREF_SIZE);

        ChoiceBox<OfflineReason> reason = new ChoiceBox<>();
        reason.setId("offlineReason");
        reason.getItems().setAll(OfflineReason.values());
        reason.setConverter(words(OfflineReason::word));
        reason.valueProperty().bindBidirectional(form.reasonProperty());
        ChoiceBox<LogMode> mode = new ChoiceBox<>();
        mode.setId("offlineMode");
        mode.getItems().setAll(LogMode.values());
        mode.setConverter(words(LogMode::word));
        mode.valueProperty().bindBidirectional(form.modeProperty());

        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(4);
        g.addRow(0, key("Reason"), reason);
        g.add(line("offlineReasonLine", form.reasonNoteProperty()), 1, 1);
        g.addRow(2, key("Log mode"), mode);
        g.add(line("offlineModeLine", form.modeNoteProperty()), 1, 3);

        Label refused = new Label();
        refused.setId("offlineRefused");
        refused.getStyleClass().add("form-error");
        refused.setWrapText(true);
        refused.setMinHeight(Label.USE_PREF_SIZE);
        refused.textProperty().bind(form.refusedProperty());
        refused.visibleProperty().bind(refused.textProperty().isNotEmpty());
        refused.managedProperty().bind(refused.visibleProperty());
        refused.textProperty().addListener(o -> DialogLook.fit(d)); // the engine's sentence shows in full

        VBox body = new VBox(10, what, g, refused);
        body.setPrefWidth(600);
        d.getDialogPane().setContent(body);
        form.modeNoteProperty().addListener(o -> DialogLook.fit(d)); // a longer line wraps to more lines

        ButtonType go = new ButtonType("Take offline", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(go);
        ok.setId("offlineTake");
        ok.setDefaultButton(true);
        ok.disableProperty().bind(form.workingProperty());
        ok.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume(); // open until the engine took the drive out, so a refusal is read where it was made
            form.take(() -> {
                d.setResult(go);
                d.close();
            });
        });
        ((Button) d.getDialogPane().lookupButton(ButtonType.CANCEL)).setId("offlineCancel");
        return d.showAndWait().filter(b -> b == go).isPresent();
    }

    private static <T> StringConverter<T> words(java.util.function.Function<T, String> word) {
        return new StringConverter<>() {
            @Override
            public String toString(T t) {
                return t == null ? "" : word.apply(t);
            }

            @Override
            public T fromString(String s) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static Label key(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("form-key");
        l.setMinWidth(Label.USE_PREF_SIZE);
        return l;
    }

    /** The line under a choice: what it means. */
    private static Label line(String id, javafx.beans.value.ObservableStringValue text) {
        Label l = new Label();
        l.textProperty().bind(text);
        l.setId(id);
        l.setWrapText(true);
        l.setMinHeight(Label.USE_PREF_SIZE);
        l.getStyleClass().add("form-note");
        GridPane.setHgrow(l, Priority.ALWAYS);
        return l;
    }
}
