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
 * The restore dialog says how many tracks of the STD a restore overwrites, the establish dialog of a
 * Split pair how many of the BCV's point-in-time image an incremental establish overwrites. Hosts
 * keep writing while a dialog is open; the counts were taken when it opened, so what was typed to
 * confirm could be fewer tracks than the copy then overwrote. Both follow the pair while open.
 */
class ConfirmationCountFxTest extends PairConsoleWindowFxTest {

    private static final int TRACK = 64 << 10;

    /** The dialog's sentence starting with {@code start}, or "" while none shows. */
    private String said(FxRobot robot, String start) throws Exception {
        return onFx(() -> robot.lookup(".confirm-dialog .label").queryAll().stream()
                .map(n -> ((Label) n).getText()).filter(t -> t != null && t.startsWith(start))
                .findFirst().orElse(""));
    }

    private void writeStd(int firstTrack, int tracks) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.device("prod").write((long) firstTrack * TRACK, ByteBuffer.wrap(new byte[tracks * TRACK]));
            return null;
        });
    }

    /** Splits the pair, writes 3 tracks, opens the dialog of {@code button}, writes 5 more: its count follows. */
    private void countFollows(FxRobot robot, String button, String start, String eight) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            return null;
        });
        writeStd(10, 3);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> {
            PairConsoleViewModel p = fx.vm.pair("prod-pair");
            return (button.equals("#restorePair") ? p.restoreBlockedProperty() : p.establishBlockedProperty()).get().isEmpty();
        }));
        robot.clickOn(button);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> said(robot, start).contains(": 3 tracks"));

        writeStd(100, 5); // a host writes while the dialog is open
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> said(robot, start).contains(": 8 tracks"));
        assertThat(said(robot, start)).startsWith(eight);
        // the establish of a BCV nobody wrote is confirmed with one click: its dialog has no name field
        robot.clickOn(robot.lookup("#confirmCancel").tryQuery().isPresent() ? "#confirmCancel" : "#clickCancel");
    }

    @Test
    void theRestoreDialogsTrackCountFollowsWritesMadeWhileItIsOpen(FxRobot robot) throws Exception {
        countFollows(robot, "#restorePair", "Restore copies", "Restore copies prod-bcv → prod: 8 tracks (512 KiB) of prod");
    }

    @Test
    void theEstablishDialogsTrackCountFollowsWritesMadeWhileItIsOpen(FxRobot robot) throws Exception {
        countFollows(robot, "#establishPair", "Establish copies",
                "Establish copies prod → prod-bcv: 8 tracks (512 KiB) of prod-bcv");
    }
}
