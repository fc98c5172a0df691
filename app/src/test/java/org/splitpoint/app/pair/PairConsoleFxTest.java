package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.pair.PairState;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;


/**
 * The pair console against a real pool: split, write through the engine, restore with Protect after
 * typing the STD's name; the state goes RestInProg → Split, the bar reaches 100%, and host reads of
 * unrestored tracks raise the on-demand counter.
 */
class PairConsoleFxTest extends PairConsoleWindowFxTest {

    private static final int TRACK = 64 << 10;

    private String shownState() throws Exception {
        return onFx(() -> ((PairConsoleView) fx.view.consoleProperty().get()).shownState());
    }

    private long onDemandShown(FxRobot robot) throws Exception {
        String text = onFx(() -> robot.lookup("#onDemand").queryAs(Label.class).getText());
        return text.isEmpty() ? 0 : Long.parseLong(text.substring(0, text.indexOf(' ')).replace(",", ""));
    }

    @Test
    void aProtectedRestoreAfterTypingTheStdNameRunsToSplitServingUnrestoredReadsFromTheBcv(FxRobot robot)
            throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        assertThat(robot.lookup("#restorePair").queryAs(Button.class).isDisabled()).isTrue();
        List<PairState> states = new CopyOnWriteArrayList<>();
        PairConsoleViewModel pair = fx.vm.pair("prod-pair");
        robot.interact(() -> pair.stateProperty().addListener((o, was, now) -> states.add(now)));

        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState()));

        // a host writes 512 tracks of the STD after the split: the restore must bring them back
        byte[] junk = new byte[512 * TRACK];
        Arrays.fill(junk, (byte) 0x5a);
        TestPools.call(fx.bridge, pool -> {
            BlockDevice std = pool.device("prod");
            std.write(0, ByteBuffer.wrap(junk));
            std.flush();
            return null;
        });
        robot.interact(() -> pair.copy().throttleProperty().set(1_000_000)); // slow: reads can overtake it
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#restorePair").queryAs(Button.class).isDisabled());
        assertThat(robot.lookup("#protectBcv").queryAs(CheckBox.class).isSelected()).isTrue();

        robot.clickOn("#restorePair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        Button go = robot.lookup("#confirmAction").queryAs(Button.class);
        assertThat(go.isDisabled()).isTrue();
        robot.clickOn("#confirmName").write("pro");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(go.isDisabled()).as("half the name does not confirm").isTrue();
        robot.write("d");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(go.isDisabled()).isFalse();
        robot.clickOn("#confirmAction");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Restoring (RestInProg)".equals(shownState()));

        long before = onDemandShown(robot);
        byte[] read = TestPools.call(fx.bridge, pool -> { // a host reads what is not restored yet
            ByteBuffer b = ByteBuffer.allocate(32 * TRACK);
            pool.device("prod").read(400L * TRACK, b);
            return b.array();
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onDemandShown(robot) > before);
        assertThat(read[0]).as("served from the BCV's image, not the STD's newer write").isNotEqualTo((byte) 0x5a);

        robot.interact(() -> pair.copy().throttleProperty().set(0));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> "Split".equals(shownState()));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "restore finished · 100%".equals(
                onFx(() -> robot.lookup("#copyProgressText").queryAs(Label.class).getText()))); // the job's own end
        assertThat(onFx(() -> robot.lookup("#copyProgress").queryAs(ProgressBar.class).getProgress())).isEqualTo(1.0);
        assertThat(states).containsSubsequence(PairState.Split, PairState.RestInProg, PairState.Split);
    }

    /**
     * The restore dialog stays open while the pair moves on: established again meanwhile (here through
     * the engine, as another verb or the CLI through the holder would), the restore would be refused, and
     * the dialog kept asking for the STD's name and enabled Restore once it was typed, only for the
     * engine to refuse it. It now says the engine's sentence above the name's field, which takes none.
     */
    @Test
    void aRestoreRefusedWhileItsDialogIsOpenSaysWhyInsteadOfAskingTheName(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState()));
        TestPools.call(fx.bridge, pool -> {
            pool.device("prod").write(0, ByteBuffer.allocate(TRACK)); // a track to restore: one of nothing asks no name
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#restorePair").queryAs(Button.class).isDisabled());
        robot.clickOn("#restorePair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        javafx.scene.control.TextField name = robot.lookup("#confirmName").queryAs(javafx.scene.control.TextField.class);
        assertThat(name.isDisabled()).as("allowed when the dialog opened: the name is asked").isFalse();

        TestPools.call(fx.bridge, pool -> pool.pairs().establish("prod-pair", false));
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> robot.lookup("#confirmRefused").tryQuery()
                .map(n -> !((Label) n).getText().isEmpty()).orElse(false));
        String why = onFx(() -> robot.lookup("#confirmRefused").queryAs(Label.class).getText());
        assertThat(why).startsWith("pair prod-pair is ").contains("split it first");
        assertThat(name.isDisabled()).as("no name asked for a restore the engine refuses").isTrue();
        robot.interact(() -> name.setText("prod")); // even set by other means, Restore stays off
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#confirmAction").queryAs(Button.class).isDisabled()).isTrue();
        robot.clickOn("#confirmCancel");
    }

    /** Defect 6: a console bound to a model that knows its pair already (after switching pools and back) shows both volumes. */
    @Test
    void aConsoleBoundAgainShowsItsVolumesAndInvalidTracksAtOnce() throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        List<String> shown = onFx(() -> {
            PairConsoleView again = new PairConsoleView();
            again.bind(fx.vm.pair("prod-pair"), fx.vm.workloads()::of);
            List<String> texts = new java.util.ArrayList<>();
            for (String style : List.of(".pair-volume", ".pair-invalid")) {
                again.lookupAll(style).forEach(n -> texts.add(((Label) n).getText()));
            }
            return texts;
        });
        assertThat(shown).hasSize(4).doesNotContain("").contains("prod", "prod-bcv");
    }

    @Test
    void cancellingARestoreAsksKeepingItOnEnterOrEscapeAndTheLastLineSaysCancelled(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        PairConsoleViewModel pair = fx.vm.pair("prod-pair");
        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState()));
        byte[] junk = new byte[512 * TRACK];
        Arrays.fill(junk, (byte) 0x5a);
        TestPools.call(fx.bridge, pool -> {
            BlockDevice std = pool.device("prod");
            std.write(0, ByteBuffer.wrap(junk));
            std.flush();
            return null;
        });
        robot.interact(() -> pair.copy().throttleProperty().set(1_000_000)); // 32 MiB at 1 MB/s: it runs for a while
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#restorePair").queryAs(Button.class).isDisabled());
        robot.clickOn("#restorePair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        robot.clickOn("#confirmName").write("prod");
        robot.clickOn("#confirmAction");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Restoring (RestInProg)".equals(shownState())
                && !robot.lookup("#cancelCopy").queryAs(Button.class).isDisabled());

        for (KeyCode key : List.of(KeyCode.ENTER, KeyCode.ESCAPE)) {
            robot.clickOn("#cancelCopy");
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
            assertThat(robot.lookup("#stopKeep").queryAs(Button.class).isDefaultButton()).isTrue();
            robot.type(key); // keeps the restore running
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isEmpty());
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(shownState()).as("after " + key).isEqualTo("Restoring (RestInProg)");
            assertThat(onFx(() -> pair.copy().runningProperty().get())).as("after " + key).isTrue();
        }

        // the jobs panel's Cancel asks the same way: Enter keeps the job
        Button jobCancel = robot.lookup(".job-button").match(n -> "Cancel".equals(((Button) n).getText())).queryAs(Button.class);
        robot.clickOn(jobCancel);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
        assertThat(robot.lookup("#stopAction").queryAs(Button.class).getText()).isEqualTo("Cancel job");
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(() -> pair.copy().runningProperty().get())).as("Enter in the jobs panel's dialog").isTrue();

        robot.clickOn("#cancelCopy");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
        robot.clickOn("#stopAction");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> "Split".equals(shownState()));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> robot.lookup("#copyProgressText")
                .queryAs(Label.class).getText()).startsWith("restore cancelled"));
        assertThat(onFx(() -> robot.lookup("#copyProgressText").queryAs(Label.class).getText()))
                .matches("restore cancelled at \\d{1,2}% · [\\d,]+ tracks? not restored");
        assertThat(onFx(() -> robot.lookup("#copyProgress").queryAs(ProgressBar.class).getProgress())).isLessThan(1.0);
    }

    @Test
    void anIncrementalEstablishOverBcvWritesAsksForTheBcvNameAndEscapeKeepsTheImage(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState())
                && !robot.lookup("#establishPair").queryAs(Button.class).isDisabled());
        writeBcv(robot); // a backup host's write: lost by the establish, so the name is asked
        assertThat(robot.lookup("#copyFull").queryAs(javafx.scene.control.RadioButton.class).isSelected()).isFalse();

        robot.clickOn("#establishPair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        String header = onFx(() -> ((javafx.scene.control.DialogPane) robot.lookup("#confirmName").query().getScene()
                .getRoot()).getHeaderText());
        assertThat(header).isEqualTo("Overwrite prod-bcv's point-in-time image with prod?");
        assertThat(robot.lookup("#confirmAction").queryAs(Button.class).isDisabled()).isTrue();
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(shownState()).as("Escape establishes nothing").isEqualTo("Split");

        robot.clickOn("#establishPair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        robot.clickOn("#confirmName").write("prod-bcv");
        robot.clickOn("#confirmAction");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
    }

    /** A backup host writes a track of the split BCV; returns once the console counts it. */
    private void writeBcv(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.device("prod-bcv").write(7L * TRACK, ByteBuffer.allocate(TRACK));
            return null;
        });
        PairConsoleViewModel pair = fx.vm.pair("prod-pair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> pair.viewProperty().get().bcvInvalidTracks()) == 1);
    }

    /**
     * An establish of a Split pair whose BCV nobody wrote loses only the point-in-time image, which is
     * what establish is for: the CLI asks nothing, and the app asked for the BCV's name all the same.
     * Now one click confirms it; Cancel is the default, so Enter establishes nothing.
     */
    @Test
    void anEstablishOfABcvNobodyWroteIsOneClickWithCancelTheDefault(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState())
                && !robot.lookup("#establishPair").queryAs(Button.class).isDisabled());

        robot.clickOn("#establishPair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#clickAction").tryQuery().isPresent());
        assertThat(robot.lookup("#confirmName").tryQuery()).as("no name to type").isEmpty();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> robot.lookup("#clickCancel").query().isFocused()));
        String said = onFx(() -> {
            var pane = (javafx.scene.control.DialogPane) robot.lookup("#clickAction").query().getScene().getRoot();
            return pane.getHeaderText() + " " + String.join(" ", pane.lookupAll(".label").stream()
                    .map(n -> ((Label) n).getText()).toList());
        });
        assertThat(said).startsWith("Replace prod-bcv's point-in-time image with prod's current data?")
                .contains("The point-in-time image prod-bcv holds since the split (");
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#clickAction").tryQuery().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(shownState()).as("Enter is Cancel: nothing established").isEqualTo("Split");

        robot.clickOn("#establishPair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#clickAction").tryQuery().isPresent());
        robot.clickOn("#clickAction");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
    }

    /**
     * A host's write to the BCV that lands after the one click, before the engine's call (a pair guard writes it
     * as the establish is about to start): the click agreed to no BCV writes, so the engine refuses, the status
     * bar says why and the pair stays Split. Before, the one click's establish overwrote the write.
     */
    @Test
    void aBcvWriteAfterTheOneClickIsRefusedAndTheStatusBarSaysSo(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState())
                && !robot.lookup("#establishPair").queryAs(Button.class).isDisabled());
        robot.clickOn("#establishPair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#clickAction").tryQuery().isPresent());
        TestPools.call(fx.bridge, pool -> {
            pool.pairs().guard(new org.splitpoint.engine.pair.PairChangeGuard() {
                @Override
                public <T> T around(org.splitpoint.engine.pair.PairChange change, java.util.concurrent.Callable<T> op)
                        throws Exception {
                    if (change.kind() == org.splitpoint.engine.pair.PairChange.Kind.ESTABLISH) {
                        pool.device("prod-bcv").write(7L * TRACK, ByteBuffer.allocate(TRACK));
                    }
                    return op.call();
                }
            });
            return null;
        });
        robot.clickOn("#clickAction");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.status().messageProperty().get())
                .contains("was not confirmed to overwrite them"));
        assertThat(onFx(() -> fx.vm.status().messageProperty().get())).contains("prod-bcv was written since the split"
                + " (1 track) and the establish of pair prod-pair was not confirmed to overwrite them: nothing was established");
        PairState inPool = TestPools.call(fx.bridge, pool -> pool.pairs().get("prod-pair").state());
        assertThat(inPool).isEqualTo(PairState.Split);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(shownState()).isEqualTo("Split");
    }

    /**
     * A restore with no track changed on either side asks nothing; a host's write to the STD that lands after
     * that count, before the engine's call (a pair guard writes it as the restore is about to start), was agreed
     * to by nobody, so the engine refuses, the status bar says why and the pair stays Split. Before, the restore
     * that asked nothing overwrote the write with the BCV's image.
     */
    @Test
    void anStdWriteAfterARestoreThatAskedNothingIsRefusedAndTheStatusBarSaysSo(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState())
                && !robot.lookup("#restorePair").queryAs(Button.class).isDisabled());
        TestPools.call(fx.bridge, pool -> {
            pool.pairs().guard(new org.splitpoint.engine.pair.PairChangeGuard() {
                @Override
                public <T> T around(org.splitpoint.engine.pair.PairChange change, java.util.concurrent.Callable<T> op)
                        throws Exception {
                    if (change.kind() == org.splitpoint.engine.pair.PairChange.Kind.RESTORE
                            || change.kind() == org.splitpoint.engine.pair.PairChange.Kind.RESTORE_PROTECTED) {
                        pool.device("prod").write(7L * TRACK, ByteBuffer.allocate(TRACK));
                    }
                    return op.call();
                }
            });
            return null;
        });
        robot.clickOn("#restorePair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.status().messageProperty().get())
                .contains("was not confirmed to overwrite them"));
        assertThat(onFx(() -> fx.vm.status().messageProperty().get())).contains("prod was written since the split"
                + " (1 track) and the restore of pair prod-pair was not confirmed to overwrite them: nothing was restored");
        assertThat(robot.lookup("#confirmName").tryQuery()).as("no question was asked").isEmpty();
        PairState inPool = TestPools.call(fx.bridge, pool -> pool.pairs().get("prod-pair").state());
        assertThat(inPool).isEqualTo(PairState.Split);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(shownState()).isEqualTo("Split");
    }

    /** A host writing to the BCV while the one-click question is open: those writes would be lost too, so the name is asked. */
    @Test
    void aBcvWrittenWhileTheOneClickQuestionIsOpenTurnsItIntoTheTypedOne(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState())
                && !robot.lookup("#establishPair").queryAs(Button.class).isDisabled());
        robot.clickOn("#establishPair");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#clickAction").tryQuery().isPresent());

        writeBcv(robot);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        assertThat(robot.lookup("#clickAction").tryQuery()).isEmpty();
        String said = onFx(() -> String.join(" ", ((javafx.scene.control.DialogPane) robot.lookup("#confirmName").query()
                .getScene().getRoot()).lookupAll(".label").stream().map(n -> ((Label) n).getText()).toList()));
        assertThat(said).contains("what was written to prod-bcv since the split (1 track) is lost.");
        robot.clickOn("#confirmCancel");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(shownState()).isEqualTo("Split");
    }
}
