package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A volume's page has one Verify, as the Drills view's verify step: it had two, "Verify" beside the
 * layout (a check, its result under it) and "Verify / repair…" in the header (a dialog with Repair
 * unticked: the same check again). Now the check is the page's Verify, and beside it Repair… opens
 * that dialog with Repair ticked, the one thing the header's button added.
 */
class VolumeVerifyActionsFxTest extends PoolWindowFxTest {

    private static List<String> buttonTexts(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup(".volume-view").queryAs(Node.class).lookupAll(".button").stream()
                .filter(n -> n instanceof Button b && b.isVisible()).map(n -> ((Button) n).getText()).toList());
    }

    @Test
    void theVolumePageHasOneVerifyAndARepairBesideIt(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-prod").tryQuery().isPresent());
        robot.clickOn("#nav-volume-prod");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#verifyVolume").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(buttonTexts(robot)).filteredOn(t -> t.toLowerCase().contains("verify")).as("verify buttons")
                .containsExactly("_Verify");
        assertThat(buttonTexts(robot)).contains("Repair…");

        robot.clickOn("#repairVolume");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#verifyRepair").tryQuery().isPresent());
        assertThat(onFx(() -> robot.lookup("#verifyRepair").queryAs(CheckBox.class).isSelected()))
                .as("Repair… opens the dialog with Repair ticked").isTrue();
        robot.clickOn("#verifyCancel");
    }
}
