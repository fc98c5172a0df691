package org.splitpoint.app.restore;

import java.nio.file.Path;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.controlsfx.control.ToggleSwitch;
import org.splitpoint.app.backup.AddStoreDialog;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * "Restore from backup": the image (the volume's newest preselected; any image of the known stores,
 * or of another store added here), write-through, the bulk throttle, and — when the volume is not
 * FAILED — its name typed, because its data is replaced. Restore stays disabled, saying why, until
 * the form is allowed ({@link RestoreForm}). Ids: {@code #restoreImageChoice}, {@code #restoreOtherStore},
 * {@code #restoreWriteThrough}, {@code #restoreThrottle}, {@code #confirmName}, {@code #restoreRefused},
 * {@code #restoreStart}.
 */
public final class RestoreDialog {

    private RestoreDialog() {
    }

    /** Puts what the restore does ({@link RestoreForm#sentences}) into {@code said}, one wrapped line each. */
    private static void say(VBox said, RestoreForm form) {
        said.getChildren().clear();
        for (String s : form.sentences()) {
            Label l = new Label(s);
            l.setWrapText(true);
            l.setMinHeight(Label.USE_PREF_SIZE); // else a dialog gives a wrapped label one line's height and cuts it
            said.getChildren().add(l);
        }
    }

    /** Shows the dialog and waits; starts the restore when confirmed. */
    public static void ask(Window owner, RestoreForm form) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle("Restore " + form.volume() + " from backup");
        d.setHeaderText("Restore " + form.volume() + " from a backup image");
        d.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)));
        d.getDialogPane().getStyleClass().add("confirm-dialog");

        VBox body = new VBox(8);
        VBox said = new VBox(8);
        javafx.beans.binding.BooleanBinding needsName = form.needsTypedNameBinding();
        say(said, form);
        body.getChildren().add(said);
        ComboBox<ImageChoice> image = new ComboBox<>(form.choices());
        image.setId("restoreImageChoice");
        image.setMaxWidth(Double.MAX_VALUE);
        image.setCellFactory(l -> new ChoiceCell(true));
        image.setButtonCell(new ChoiceCell(false));
        image.valueProperty().bindBidirectional(form.imageProperty());
        Button other = new Button("Other store…");
        other.setId("restoreOtherStore");
        other.setMinWidth(Button.USE_PREF_SIZE);
        other.setOnAction(e -> AddStoreDialog.ask(d.getDialogPane().getScene().getWindow(), "Add a backup store", null, (t, answer) -> answer.accept(""))
                .filter(t -> !t.isBlank()).ifPresent(t -> form.addStore(Path.of(t.trim()))));
        HBox imageRow = new HBox(6, image, other);
        HBox.setHgrow(image, Priority.ALWAYS);
        Label loading = new Label();
        loading.getStyleClass().add("placeholder");
        loading.setWrapText(true);
        loading.setMinHeight(Label.USE_PREF_SIZE);
        loading.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> (form.imageProperty().get()
                == null ? "" : "In " + form.imageProperty().get().store() + ". ") + form.loadingProperty().get(),
                form.imageProperty(), form.loadingProperty()));

        ToggleSwitch writeThrough = new ToggleSwitch("also write what hosts write meanwhile into a new incremental image");
        writeThrough.setId("restoreWriteThrough");
        writeThrough.selectedProperty().bindBidirectional(form.writeThroughProperty());
        ThrottleChoice throttle = new ThrottleChoice(form.throttleProperty());
        throttle.setId("restoreThrottle");

        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(8);
        g.addRow(0, key("Image"), imageRow);
        g.add(loading, 1, 1);
        g.addRow(2, key("Write-through"), writeThrough);
        g.addRow(3, key("Bulk throttle"), throttle);
        GridPane.setHgrow(imageRow, Priority.ALWAYS);
        body.getChildren().add(g);
        Label ask = new Label("Type " + form.volume() + " to confirm:");
        ask.getStyleClass().add("confirm-ask");
        TextField typed = new TextField();
        typed.setId("confirmName");
        typed.setPromptText(form.volume());
        typed.textProperty().bindBidirectional(form.typedProperty());
        // no name asked for a restore the engine refuses (a pair mirroring the volume, a service window
        // opened meanwhile): the line under the field says why, as it does before the name is typed
        typed.disableProperty().bind(form.refusedProperty().isNotEmpty());
        ask.disableProperty().bind(typed.disableProperty());
        // asked only while the volume is not FAILED (what it holds is replaced); one that leaves FAILED
        // while the dialog is open is asked from then on, and what the dialog says changes with it
        for (javafx.scene.Node n : new javafx.scene.Node[] {ask, typed}) {
            n.visibleProperty().bind(needsName);
            n.managedProperty().bind(needsName);
        }
        needsName.addListener((o, was, now) -> {
            say(said, form);
            if (now) {
                typed.requestFocus();
            }
            DialogLook.fit(d);
        });
        body.getChildren().addAll(ask, typed);
        if (needsName.get()) {
            Platform.runLater(typed::requestFocus);
        }
        Label why = new Label();
        why.setId("restoreRefused");
        why.getStyleClass().add("form-error");
        javafx.scene.Node whyRoom = DialogLook.problemLine(why, d);
        // the name still to type is what the field above asks for: only other reasons are spelled out
        why.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> form.blockedProperty().get()
                .startsWith("type " + form.volume() + " to confirm") ? "" : form.blockedProperty().get(),
                form.blockedProperty()));
        body.getChildren().add(whyRoom);
        body.setPrefWidth(700);
        d.getDialogPane().setContent(body);
        // the window is sized before the wrapped lines know their height, and the image's line comes
        // later: it takes its content's size again so its buttons stay whole
        d.setOnShown(e -> DialogLook.fit(d));
        loading.textProperty().addListener(o -> DialogLook.fit(d));

        ButtonType go = new ButtonType("Restore " + form.volume(), ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(go);
        ok.setId("restoreStart");
        ok.setDefaultButton(true);
        ok.disableProperty().bind(form.blockedProperty().isNotEmpty());
        ((Button) d.getDialogPane().lookupButton(ButtonType.CANCEL)).setId("restoreCancel");
        if (d.showAndWait().filter(b -> b == go).isPresent()) {
            form.restore();
        }
    }

    private static Label key(String text) {
        Label l = new Label(text);
        l.setMinWidth(Label.USE_PREF_SIZE);
        return l;
    }

    /** An image as "id · kind · time", and in the list "· store" too (the line under the box says it for the choice). */
    private static final class ChoiceCell extends ListCell<ImageChoice> {
        private final boolean withStore;

        ChoiceCell(boolean withStore) {
            this.withStore = withStore;
        }

        @Override
        protected void updateItem(ImageChoice c, boolean empty) {
            super.updateItem(c, empty);
            setText(empty || c == null ? null : withStore ? c.describe()
                    : c.image().id() + " · " + org.splitpoint.app.common.Format.when(c.image().createdAt()));
        }
    }
}
