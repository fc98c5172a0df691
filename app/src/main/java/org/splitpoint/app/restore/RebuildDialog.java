package org.splitpoint.app.restore;

import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.StringConverter;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.app.pair.CopyControl;

/**
 * "Rebuild from backup + journal": the engine's preview (lost drives, the backup chain, the journal's
 * entries, what is copied), a SPARE drive for each lost drive's place or blank images in place, the
 * bulk throttle; Rebuild stays disabled, saying why, until the form is allowed ({@link RebuildForm}).
 * Ids: {@code #rebuildLost}, {@code #rebuildChain}, {@code #rebuildEntries}, {@code #rebuildCopy},
 * {@code #rebuildReplace-<lost drive>}, {@code #rebuildThrottle}, {@code #rebuildRefused},
 * {@code #rebuildStart}, {@code #rebuildCancel}.
 */
public final class RebuildDialog {

    private RebuildDialog() {
    }

    /** Shows the dialog and waits; starts the rebuild when confirmed. */
    public static void ask(Window owner, RebuildForm form) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle("Rebuild " + form.volume() + " from backup + journal");
        d.setHeaderText("Rebuild " + form.volume() + " from its backup and its journal");
        d.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)));
        d.getDialogPane().getStyleClass().add("rebuild-dialog");

        Label lead = wrapped("");
        Label lost = value("rebuildLost");
        VBox chain = new VBox(2);
        chain.setId("rebuildChain");
        Label entries = value("rebuildEntries");
        Label copy = value("rebuildCopy");
        FlowPane replace = new FlowPane(16, 6);
        Runnable fill = () -> {
            var p = form.previewProperty().get();
            if (p == null) {
                return;
            }
            lead.setText("Volume " + form.volume() + " is FAILED (" + p.reason() + "), beyond its redundancy. It is"
                    + " rebuilt from its last backup in the journal's store plus the journal's entries not yet shipped,"
                    + " applied in order: it ends as of its last acknowledged write.");
            lost.setText(form.lostLine());
            chain.getChildren().clear();
            for (String line : form.chainLines()) {
                Label l = new Label(line);
                l.getStyleClass().add("rebuild-image");
                chain.getChildren().add(l);
            }
            Label store = new Label(form.storeLine());
            store.getStyleClass().add("form-note");
            chain.getChildren().add(store);
            entries.setText(form.entriesLine(System.currentTimeMillis()));
            copy.setText(form.copyLine());
            replace.getChildren().clear();
            for (int i = 0; i < form.replacements().size(); i++) {
                replace.getChildren().add(replacement(p.lostDrives().get(i), form.replacements().get(i), form));
            }
            DialogLook.fit(d); // the preview arrives after the dialog is shown: it grows to hold it
        };
        form.previewProperty().addListener(o -> fill.run());
        fill.run();

        ComboBox<Long> throttle = new ComboBox<>();
        throttle.setId("rebuildThrottle");
        for (long s : CopyControl.THROTTLE_STEPS) {
            throttle.getItems().add(s);
        }
        throttle.setConverter(new StringConverter<>() {
            @Override
            public String toString(Long v) {
                return v == null ? "" : CopyControl.describe(v);
            }

            @Override
            public Long fromString(String s) {
                return null;
            }
        });
        throttle.setValue(form.throttleProperty().get());
        throttle.valueProperty().addListener((o, was, now) -> form.throttleProperty().set(now == null ? 0 : now));

        GridPane g = new GridPane();
        g.setHgap(12);
        g.setVgap(6);
        g.addRow(0, key("Lost drives"), lost);
        g.addRow(1, key("Backup chain"), chain);
        g.addRow(2, key("Journal entries"), entries);
        g.addRow(3, key("To copy"), copy);
        g.addRow(4, key("In their places"), replace);
        g.addRow(5, key("Bulk throttle"), throttle);

        Label loading = wrapped("");
        loading.getStyleClass().add("placeholder");
        loading.textProperty().bind(form.loadingProperty());
        loading.visibleProperty().bind(Bindings.isNotEmpty(form.loadingProperty()));
        loading.managedProperty().bind(loading.visibleProperty());
        Label after = wrapped("Hosts can use " + form.volume() + " at once: a read of a track not yet rebuilt is served"
                + " from the backup and the journal, and a bulk copy fills the rest. The instant restore view shows its"
                + " progress on the track map.");
        Label why = wrapped("");
        why.setId("rebuildRefused");
        why.getStyleClass().add("form-error");
        why.textProperty().bind(form.blockedProperty());
        why.textProperty().addListener(o -> DialogLook.fit(d));
        VBox body = new VBox(10, lead, loading, g, after, why);
        body.setPrefWidth(680);
        d.getDialogPane().setContent(body);

        ButtonType go = new ButtonType("Rebuild " + form.volume(), ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(go);
        ok.setId("rebuildStart");
        ok.setDefaultButton(true);
        ok.disableProperty().bind(form.blockedProperty().isNotEmpty());
        ((Button) d.getDialogPane().lookupButton(ButtonType.CANCEL)).setId("rebuildCancel");
        if (d.showAndWait().filter(b -> b == go).isPresent()) {
            form.rebuild();
        }
    }

    /** "d1 → [blank image in place ▾]". */
    private static HBox replacement(String lostDrive, ObjectProperty<String> choice, RebuildForm form) {
        ComboBox<String> c = new ComboBox<>(form.spares());
        c.setId("rebuildReplace-" + lostDrive);
        c.setConverter(new StringConverter<>() {
            @Override
            public String toString(String s) {
                return s == null || s.equals(RebuildForm.IN_PLACE) ? "a blank image in place" : "SPARE " + s;
            }

            @Override
            public String fromString(String s) {
                return null;
            }
        });
        c.valueProperty().bindBidirectional(choice);
        Label name = new Label(lostDrive + " →");
        name.setMinWidth(Label.USE_PREF_SIZE);
        HBox h = new HBox(6, name, c);
        h.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return h;
    }

    private static Label key(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("form-key");
        l.setMinWidth(Label.USE_PREF_SIZE);
        javafx.scene.layout.GridPane.setValignment(l, javafx.geometry.VPos.TOP);
        return l;
    }

    private static Label value(String id) {
        Label l = wrapped("");
        l.setId(id);
        return l;
    }

    private static Label wrapped(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setMinHeight(Label.USE_PREF_SIZE);
        return l;
    }
}
