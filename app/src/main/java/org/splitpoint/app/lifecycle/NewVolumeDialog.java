package org.splitpoint.app.lifecycle;

import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Sizes;

/**
 * "New volume": name, layout, the SPARE drives as check boxes (in bay order), the live rule line
 * and the size. Ids: {@code #newVolumeName}, {@code #newVolumeLayout}, {@code #newVolumeDrive-dN},
 * {@code #newVolumeRule}, {@code #newVolumeSize}, {@code #newVolumeProblem}, {@code #newVolumeGo}.
 */
public final class NewVolumeDialog {

    private NewVolumeDialog() {
    }

    public static boolean ask(Window owner, NewVolumeForm form) {
        TextField name = new TextField();
        name.setId("newVolumeName");
        FormDialog.field(name, "name");
        name.textProperty().bindBidirectional(form.nameProperty());
        ChoiceBox<Layout> layout = new ChoiceBox<>();
        layout.setId("newVolumeLayout");
        FormDialog.field(layout, "layout");
        layout.getItems().setAll(Layout.values());
        layout.setConverter(FormDialog.words(Layout::word));
        layout.valueProperty().bindBidirectional(form.layoutProperty());

        FlowPane drives = new FlowPane(12, 6);
        for (NewVolumeForm.Spare s : form.spares()) {
            CheckBox c = new CheckBox(s.name() + " · " + Sizes.format(s.size()));
            c.setId("newVolumeDrive-" + s.name());
            FormDialog.field(c, "drives");
            c.setSelected(form.chosen().contains(s.name()));
            c.selectedProperty().addListener((o, was, now) -> {
                if (now) {
                    form.chosen().add(s.name());
                } else {
                    form.chosen().remove(s.name());
                }
            });
            drives.getChildren().add(c);
        }
        if (form.spares().isEmpty()) {
            drives.getChildren().add(new Label("No free SPARE drive: add drives first (Drive → Add drives…)."));
        }
        TextField size = new TextField();
        size.setId("newVolumeSize");
        FormDialog.field(size, "size");
        size.setPromptText("all the drives hold");
        size.textProperty().bindBidirectional(form.sizeProperty());

        GridPane g = FormDialog.grid();
        g.addRow(0, FormDialog.key("Name"), name);
        g.addRow(1, FormDialog.key("Layout"), layout);
        g.addRow(2, FormDialog.key("Drives"), drives);
        g.add(FormDialog.note("newVolumeRule", form.ruleProperty()), 1, 3);
        g.addRow(4, FormDialog.key("Size"), size);
        g.add(FormDialog.note("newVolumeSizeNote", javafx.beans.binding.Bindings.createStringBinding(() -> {
            long c = form.capacity();
            return c < 0 ? "Empty: all the chosen drives hold. Sizes like 64M, 1.5G or 64 MiB." : "Empty: all the chosen drives hold ("
                    + Sizes.format(c) + "). Sizes like 64M, 1.5G or 64 MiB.";
        }, form.layoutProperty(), form.chosen())), 1, 5);
        VBox fields = new VBox(8, FormDialog.sentence("A volume is made from SPARE drives of the bay; they start blank."), g);
        return FormDialog.show(owner, "New volume", "Make a volume from SPARE drives",
                new StateLook("", StateLook.Glyph.CHECK, StateLook.Tone.OK), fields, "Create volume", "newVolume", form);
    }
}
