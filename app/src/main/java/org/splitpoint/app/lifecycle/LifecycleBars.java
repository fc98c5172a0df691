package org.splitpoint.app.lifecycle;

import java.util.List;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.layout.HBox;
import org.splitpoint.app.drives.DrivesView;

/**
 * Where the lifecycle verbs appear beside the views they concern: the drive bay (buttons and the
 * slots' context menu), the volumes list, the volume page's header, the pair console's header
 * (the pairs list's own New pair… button opens the same dialog). Ids: {@code #addDrives}, {@code #replaceWithSpare}, {@code #newVolume},
 * {@code #deleteVolume}, {@code #repairVolume}, {@code #deletePair}.
 */
public final class LifecycleBars {

    private LifecycleBars() {
    }

    /**
     * The bay's slots get Replace with spare… and Add drives… in their context menu; the buttons go in a
     * bar under the bay (its header is full), with New volume….
     */
    public static void addToBay(DrivesView bay, LifecycleActions a) {
        LifecycleViewModel vm = a.model();
        bay.addActions(List.of(
                LifecycleActions.item("Replace with spare…", null, vm.spareBlockedProperty(), a::replaceWithSpare),
                LifecycleActions.item("Add drives…", null, vm.addDrivesBlockedProperty(), a::addDrives)));
    }

    /** Under the bay: Add drives…, Replace with spare… (on the selected FAILED drive), New volume…. */
    public static Node underBay(LifecycleActions a) {
        LifecycleViewModel vm = a.model();
        return bar(LifecycleActions.button("addDrives", "Add drives…", vm.addDrivesBlockedProperty(),
                        "Add blank SPARE drives to the bay: how many, and their size.", a::addDrives),
                LifecycleActions.button("replaceWithSpare", "Replace with spare…", vm.spareBlockedProperty(),
                        "Put a SPARE drive in the selected FAILED drive's place and rebuild it from the other members.",
                        a::replaceWithSpare),
                LifecycleActions.button("newVolume", "New volume…", vm.newVolumeBlockedProperty(),
                        "Make a RAID volume from SPARE drives of the bay.", a::newVolume));
    }

    /** The volumes list's header verb: New volume…. */
    public static Node volumes(LifecycleActions a) {
        LifecycleViewModel vm = a.model();
        return LifecycleActions.button("newVolume", "New volume…", vm.newVolumeBlockedProperty(),
                "Make a RAID volume from SPARE drives of the bay.", a::newVolume);
    }

    /**
     * The volume page's header verb: Delete volume…. The page's Verify (a check, as a drill's last
     * step) is its own; a "Verify / repair…" here as well made two verify buttons on one page.
     */
    public static Node[] volumePage(LifecycleActions a) {
        LifecycleViewModel vm = a.model();
        return new Node[] {
            LifecycleActions.button("deleteVolume", "Delete volume…", vm.deleteVolumeBlockedProperty(),
                    "Delete this volume and its data; its drives go back to the bay as SPARE.", a::deleteVolume)};
    }

    /** Beside the volume page's Verify: Repair…, the verify dialog with Repair ticked. */
    public static Node volumeRepair(LifecycleActions a) {
        return LifecycleActions.button("repairVolume", "Repair…", a.model().verifyBlockedProperty(),
                "Verify and rewrite the mirror copies or parity sectors that disagree (the dialog asks first).", a::repair);
    }

    public static Node pairConsole(LifecycleActions a) {
        return LifecycleActions.button("deletePair", "Delete pair…", a.model().deletePairBlockedProperty(),
                "End this pair: both volumes stay, independent.", a::deletePair);
    }

    private static Node bar(Node... buttons) {
        HBox b = new HBox(8, buttons);
        b.setAlignment(Pos.CENTER_LEFT);
        b.setPadding(new javafx.geometry.Insets(6, 12, 6, 12));
        b.getStyleClass().add("lifecycle-bar");
        return b;
    }
}
