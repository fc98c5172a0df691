package org.splitpoint.app.volumes;

import javafx.beans.binding.Bindings;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import org.splitpoint.app.common.Actions;

/**
 * The banner over a volume's page while it has a data problem: what was found (in red for a lost
 * write) and Repair (verify with repair). Hidden when the volume has none.
 * Ids: {@code #volumeProblem} (the sentence), {@code #repairProblem}.
 */
public final class ProblemBanner extends HBox {

    private static final PseudoClass CRITICAL = PseudoClass.getPseudoClass("critical");

    private final Label text = new Label();
    private final Button repair = new Button("_Repair");
    private final StackPane repairWrap = new StackPane(repair);

    public ProblemBanner() {
        getStyleClass().addAll("restore-banner", "problem-banner");
        text.setId("volumeProblem");
        text.getStyleClass().add("problem-text"); // not .banner-text: the restore banners below answer to that
        text.setWrapText(true);
        text.setMinWidth(0);
        text.setMinHeight(USE_PREF_SIZE);
        text.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(text, Priority.ALWAYS);
        repair.setId("repairProblem");
        repair.setMinWidth(USE_PREF_SIZE);
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(10);
        getChildren().addAll(text, repairWrap);
        setVisible(false);
        managedProperty().bind(visibleProperty());
    }

    public void bind(VolumeProblemViewModel vm) {
        text.textProperty().bind(vm.problemProperty());
        visibleProperty().bind(Bindings.isNotEmpty(vm.problemProperty()));
        vm.criticalProperty().addListener((o, was, now) -> pseudoClassStateChanged(CRITICAL, now));
        pseudoClassStateChanged(CRITICAL, vm.criticalProperty().get());
        repair.setOnAction(e -> vm.repair());
        Actions.bind(repair, repairWrap, vm.repairBlockedProperty(),
                "Verify with repair: rewrite every mirror or parity sector that disagrees, then clear the problem."
                        + " A lost write cannot be brought back; the workload checks again from what the volume holds.");
    }
}
