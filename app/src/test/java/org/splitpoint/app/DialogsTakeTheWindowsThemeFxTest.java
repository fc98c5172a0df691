package org.splitpoint.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.AddStoreDialog;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.TypedConfirmDialog;
import org.splitpoint.app.restore.RestoreDialog;
import org.splitpoint.app.session.HolderGoneDialog;
import org.splitpoint.app.session.NewPoolDialog;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.FxPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Every dialog of the app takes the window's look, through {@link DialogLook#apply}: over a dark window
 * its pane carries the window's theme class and stylesheets (the form-error red, the dark colours),
 * over a light one it is light. By hand in the dark theme, Help → Keyboard shortcuts and the dialog
 * saying the pool's holder went away opened white on the dark window: they took no stylesheet at all.
 */
@ExtendWith(ApplicationExtension.class)
class DialogsTakeTheWindowsThemeFxTest {

    @TempDir
    Path tmp;
    private Stage stage;
    private FxPools fx;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        window(new StackPane(), true);
    }

    /** Shows {@code root} as the window's root with the app window's stylesheets, dark or light. */
    private void window(Parent root, boolean dark) {
        root.getStylesheets().setAll(Fxml.resource("Theme.css").toExternalForm(), Fxml.resource("PoolView.css").toExternalForm());
        if (dark) {
            root.getStyleClass().add(DialogLook.DARK);
        }
        if (root.getScene() == null) {
            stage.setScene(new Scene(root, 800, 600));
        }
        stage.setX(0);
        stage.setY(0);
        stage.show();
    }

    @AfterEach
    void closeAll() throws Exception {
        onFx(() -> {
            for (Window w : List.copyOf(Window.getWindows())) {
                if (w != stage && w.getScene() != null && w.getScene().getRoot() instanceof DialogPane p) {
                    press(p);
                }
            }
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents(3);
        if (fx != null) {
            fx.close();
        }
    }

    /** The pane of the dialog shown over the window, once one shows. */
    private DialogPane shownDialog() throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> onFx(this::dialog).isPresent());
        return onFx(this::dialog).orElseThrow();
    }

    private Optional<DialogPane> dialog() {
        return Window.getWindows().stream().filter(w -> w != stage && w.isShowing() && w.getScene() != null)
                .map(w -> w.getScene().getRoot()).filter(r -> r instanceof DialogPane).map(r -> (DialogPane) r).findFirst();
    }

    /** Closes the dialog by its cancel button (its only button when it has none). */
    private static void press(DialogPane p) {
        ButtonType b = p.getButtonTypes().stream().filter(t -> t.getButtonData().isCancelButton()).findFirst()
                .orElse(p.getButtonTypes().get(0));
        ((Button) p.lookupButton(b)).fire();
    }

    /** Opens a dialog with {@code open}, checks that it wears the window's look, then closes it. */
    private void looksLikeTheWindow(String which, Runnable open) throws Exception {
        Platform.runLater(open);
        DialogPane pane = shownDialog();
        List<String> sheets = onFx(() -> List.copyOf(stage.getScene().getRoot().getStylesheets()));
        boolean dark = onFx(() -> stage.getScene().getRoot().getStyleClass().contains(DialogLook.DARK));
        List<String> paneSheets = onFx(() -> List.copyOf(pane.getStylesheets()));
        List<String> paneClasses = onFx(() -> List.copyOf(pane.getStyleClass()));
        onFx(() -> {
            press(pane);
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(this::dialog).isEmpty());
        assertThat(paneSheets).as(which + ": the window's stylesheets").containsAll(sheets);
        if (dark) {
            assertThat(paneClasses).as(which + ": the dark theme's class").contains(DialogLook.DARK);
        } else {
            assertThat(paneClasses).as(which + ": light, as the window").doesNotContain(DialogLook.DARK);
        }
    }

    private static final Confirmation DELETE = new Confirmation("Delete volume", "Delete volume data?",
            List.of("Its tracks are lost."), "data", "Delete");

    private void theFiveThatNeedNoPool() throws Exception {
        looksLikeTheWindow("Help → Keyboard shortcuts", () -> MainMenu.showShortcuts(stage));
        looksLikeTheWindow("the holder went away", () -> HolderGoneDialog.show(stage, "/pools/p", "The holder stopped", () -> { }));
        looksLikeTheWindow("a typed confirmation", () -> TypedConfirmDialog.ask(stage, DELETE));
        looksLikeTheWindow("New pool", () -> NewPoolDialog.ask(stage, tmp.resolve("new")));
        looksLikeTheWindow("Add a backup store", () -> AddStoreDialog.ask(stage, "Add a backup store", tmp.resolve("store"),
                (t, answer) -> answer.accept("")));
    }

    @Test
    void overADarkWindowEveryDialogIsDark() throws Exception {
        theFiveThatNeedNoPool();
    }

    @Test
    void overALightWindowEveryDialogIsLight(FxRobot robot) throws Exception {
        robot.interact(() -> stage.getScene().getRoot().getStyleClass().remove(DialogLook.DARK));
        theFiveThatNeedNoPool();
    }

    @Test
    void theRestoreDialogOverADarkWindowIsDark(FxRobot robot) throws Exception {
        BackupPools.Made made = BackupPools.withBackup(tmp);
        robot.interact(() -> {
            try {
                fx = FxPools.open(stage, made.pool(), List.of(made.store()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            window(fx.view, true);
        });
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-data").tryQuery().isPresent());
        looksLikeTheWindow("Restore from backup", () -> RestoreDialog.ask(stage, fx.vm.restore("data").restoreForm(null)));
    }

    /** A dialog left open (the holder's, which is not modal) follows the window when its theme is switched. */
    @Test
    void anOpenDialogFollowsTheWindowsThemeSwitch(FxRobot robot) throws Exception {
        Platform.runLater(() -> HolderGoneDialog.show(stage, "/pools/p", "The holder stopped", () -> { }));
        DialogPane pane = shownDialog();
        assertThat(onFx(() -> pane.getStyleClass().contains(DialogLook.DARK))).isTrue();
        robot.interact(() -> stage.getScene().getRoot().getStyleClass().remove(DialogLook.DARK));
        assertThat(onFx(() -> pane.getStyleClass().contains(DialogLook.DARK))).as("light, as the window now").isFalse();
        robot.interact(() -> stage.getScene().getRoot().getStyleClass().add(DialogLook.DARK));
        assertThat(onFx(() -> pane.getStyleClass().contains(DialogLook.DARK))).as("dark again").isTrue();
    }
}
