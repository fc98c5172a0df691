package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The establish dialog of a Split pair says how many tracks of the BCV's point-in-time image an
 * incremental establish overwrites. Hosts keep writing while it is open; the count was taken when it
 * opened. It follows the pair while it is open, as the restore dialog does.
 */
class EstablishCountFxTest extends PairConsoleWindowFxTest {

    private static final int TRACK = 64 << 10;

    /** The dialog's first sentence ("Establish copies prod → prod-bcv: 3 tracks ..."), or "" while none shows. */
    private String said(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup(".confirm-dialog .label").queryAll().stream()
                .map(n -> ((Label) n).getText()).filter(t -> t != null && t.startsWith("Establish copies"))
                .findFirst().orElse(""));
    }

    private void writeStd(int firstTrack, int tracks) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.device("prod").write((long) firstTrack * TRACK, ByteBuffer.wrap(new byte[tracks * TRACK]));
            return null;
        });
    }

    @Test
    void theEstablishDialogsTrackCountFollowsWritesMadeWhileItIsOpen(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            return null;
        });
        writeStd(10, 3);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.pair("prod-pair")
                .establishBlockedProperty().get().isEmpty()));
        robot.clickOn("#establishPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> said(robot).contains(": 3 tracks"));

        writeStd(100, 5); // a host writes while the dialog is open
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> said(robot).contains(": 8 tracks"));
        assertThat(said(robot)).startsWith("Establish copies prod → prod-bcv: 8 tracks (512 KiB) of prod-bcv");
        robot.clickOn("#confirmCancel");
    }
}
