package org.splitpoint.app.lifecycle;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/**
 * What a pool with no volume shows above its drive bay (after "New pool" without the demo): what
 * to do next, in a sentence, with the buttons that do it. Hidden once the pool has a volume.
 * Ids: {@code #emptyPoolGuide}, {@code #nextStep}, {@code #guideAddDrives}, {@code #guideNewVolume}.
 */
public final class EmptyPoolGuide extends VBox {

    public EmptyPoolGuide(LifecycleActions actions) {
        LifecycleViewModel vm = actions.model();
        setId("emptyPoolGuide");
        getStyleClass().addAll("section", "empty-pool-guide");
        setSpacing(8);
        Label title = new Label("Next: make a volume");
        title.getStyleClass().add("section-title");
        Label line = new Label();
        line.setId("nextStep");
        line.setWrapText(true);
        line.setMinHeight(Label.USE_PREF_SIZE);
        line.textProperty().bind(vm.nextStepProperty());
        HBox buttons = new HBox(10,
                LifecycleActions.button("guideNewVolume", "New volume…", vm.newVolumeBlockedProperty(),
                        "Make a RAID volume from SPARE drives of the bay.", actions::newVolume),
                LifecycleActions.button("guideAddDrives", "Add drives…", vm.addDrivesBlockedProperty(),
                        "Add blank SPARE drives to the bay.", actions::addDrives));
        buttons.setAlignment(Pos.CENTER_LEFT);
        getChildren().addAll(title, line, buttons);
        visibleProperty().bind(vm.nextStepProperty().isNotEmpty());
        managedProperty().bind(visibleProperty());
    }
}
