package org.splitpoint.app.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.Dialogs;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;


/**
 * The serve panel by clicks and keys: stopping with a client connected names it (address and volume)
 * and asks, keeping the server the default; serving beyond loopback says anyone on the network can
 * reach the volumes and asks, not serving the default.
 */
class ServeFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.SERVE;
    }

    private boolean serving() throws Exception {
        return onFx(() -> fx.vm.serve().servingProperty().get());
    }

    private void listenOn(FxRobot robot, String address) {
        robot.interact(() -> robot.lookup("#serveAddress").queryAs(TextField.class).clear());
        robot.clickOn("#serveAddress").write(address);
    }

    /** Connects as an NBD client to {@code export} (fixed newstyle, NBD_OPT_EXPORT_NAME) and returns the socket. */
    private static Socket client(int port, String export) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        in.readNBytes(18);
        out.write(ByteBuffer.allocate(4).putInt(3).array());
        byte[] name = export.getBytes();
        out.write(ByteBuffer.allocate(16 + name.length).putLong(0x49484156454f5054L).putInt(1).putInt(name.length)
                .put(name).array());
        in.readNBytes(10);
        return s;
    }

    /**
     * Enter in the address starts serving, as the button does: typed and Enter, nothing happened, and
     * a wrong address said nothing until the button was clicked (keyboard only, seen under Xvfb).
     */
    @Test
    void enterInTheAddressStartsServingOrSaysWhatIsWrong(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        listenOn(robot, "nonsense");
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.serve().statusProperty().get())
                .equals("'nonsense' is not HOST:PORT (for example 127.0.0.1:10809)"));

        listenOn(robot, "127.0.0.1:0");
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, this::serving);
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !serving());
    }

    @Test
    void stoppingWithAClientConnectedNamesItAndKeepingTheServerIsTheDefault(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        listenOn(robot, "127.0.0.1:0");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, this::serving);
        String status = onFx(() -> fx.vm.serve().statusProperty().get());
        int port = Integer.parseInt(status.replaceAll(".*:(\\d+).*", "$1"));

        try (Socket s = client(port, "prod")) {
            String me = "127.0.0.1:" + s.getLocalPort();
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.serve().connectedClients())
                    .contains(me + " using prod"));
            for (KeyCode key : new KeyCode[] {KeyCode.ENTER, KeyCode.ESCAPE}) {
                robot.clickOn("#serveToggle");
                WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
                assertThat(Dialogs.stopDialogText(robot)).contains("Disconnect 1 NBD client?").contains(me + " using prod");
                robot.type(key);
                WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isEmpty());
                WaitForAsyncUtils.waitForFxEvents();
                assertThat(serving()).as("after " + key).isTrue();
            }
            robot.clickOn("#serveToggle");
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
            robot.clickOn("#stopAction");
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !serving());
        }
    }

    @Test
    void servingOnEveryInterfaceAsksFirstSayingTheNetworkCanReachTheVolumes(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        listenOn(robot, "0.0.0.0:0");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
        assertThat(Dialogs.stopDialogText(robot)).contains("Serve the volumes to the network?")
                .contains("anyone on the network who can reach it can read and write every volume");
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(serving()).as("Enter does not serve").isFalse();

        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
        robot.clickOn("#stopAction");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, this::serving);
        assertThat(robot.lookup("#serveToggle").queryAs(Button.class).getText()).isEqualTo("Stop serving");
        robot.clickOn("#serveToggle"); // no client: stops without asking
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !serving());
    }

    /**
     * "foo:bar" is refused at once, in red beside the field: it asked "Serve the volumes to the
     * network?" first, and its refusal then read like the plain "not serving" (seen by hand).
     */
    @Test
    void anAddressThatIsNotHostPortIsRefusedInRedWithoutAskingAboutTheNetwork(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        listenOn(robot, "foo:bar");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#stopKeep").tryQuery()).as("no question about the network").isEmpty();
        javafx.scene.control.Label status = robot.lookup(".serve-status").queryAs(javafx.scene.control.Label.class);
        assertThat(onFx(status::getText)).isEqualTo("'foo:bar' is not HOST:PORT (for example 127.0.0.1:10809)");
        assertThat(onFx(() -> status.getPseudoClassStates().toString())).contains("error");
        listenOn(robot, "127.0.0.1:0");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, this::serving);
        assertThat(onFx(() -> status.getPseudoClassStates().toString())).as("serving is no error").doesNotContain("error");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !serving());
    }

    /**
     * At 1024x700 the clients table was narrower than its columns: "Since" read "07:16:4" with a
     * horizontal scroll bar under one client (seen under Xvfb). The columns share the table's width.
     */
    @Test
    void atTheSmallestWindowTheClientsColumnsFitTheTable(FxRobot robot) throws Exception {
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveClients").tryQuery().isPresent());
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass
        WaitForAsyncUtils.waitForFxEvents();
        double[] widths = onFx(() -> {
            javafx.scene.control.TableView<?> t = robot.lookup("#serveClients").queryAs(javafx.scene.control.TableView.class);
            double columns = t.getVisibleLeafColumns().stream().mapToDouble(c -> c.getWidth()).sum();
            return new double[] {columns, t.getWidth() - t.snappedLeftInset() - t.snappedRightInset()};
        });
        assertThat(widths[0]).as("the columns' width against the table's").isLessThanOrEqualTo(widths[1] + 0.5);
    }

    /**
     * A pair restore's confirmation names the NBD clients using the STD: they see its data change at
     * once, with no warning, and a file system a VM has mounted over it goes wrong; the dialog said
     * only "Hosts keep using prod meanwhile" with qemu-io connected to prod (seen by hand).
     */
    @Test
    void aRestoreConfirmationNamesTheClientsUsingTheStd(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        listenOn(robot, "127.0.0.1:0");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, this::serving);
        String status = onFx(() -> fx.vm.serve().statusProperty().get());
        int port = Integer.parseInt(status.replaceAll(".*:(\\d+).*", "$1"));
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(java.util.List.of("prod-pair"));
            pool.device("prod").write(0, java.nio.ByteBuffer.allocate(4096)); // a track for the restore to overwrite
            return null;
        });
        try (Socket s = client(port, "prod")) {
            String me = "127.0.0.1:" + s.getLocalPort();
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.serve().connectedClients())
                    .contains(me + " using prod"));
            java.util.concurrent.CompletableFuture<org.splitpoint.app.common.Confirmation> asked =
                    new java.util.concurrent.CompletableFuture<>();
            robot.interact(() -> fx.vm.pair("prod-pair").restoreConfirmation(c -> asked.complete(c.getValue())));
            assertThat(asked.get(10, TimeUnit.SECONDS).sentences()).as("the restore's confirmation")
                    .contains("prod is served over NBD to 1 client (" + me + "): it stays connected and reads the new"
                            + " data as it lands, with no warning. Unmount prod there (or stop the VM) first if it"
                            + " caches data, as a file system does.");
            robot.clickOn("#serveToggle");
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
            robot.clickOn("#stopAction");
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !serving());
        }
    }

    private static String servedSentence(String volume, String client) {
        return volume + " is served over NBD to 1 client (" + client + "): it stays connected and reads the new"
                + " data as it lands, with no warning. Unmount " + volume + " there (or stop the VM) first if it"
                + " caches data, as a file system does.";
    }

    /**
     * The other overwrites of a served volume name its NBD clients too, as the pair restore's does: a
     * restore to a snapshot and an instant restore of prod, and an establish over a served (split) BCV,
     * said nothing of the clients reading the volume as it changed under them.
     */
    @Test
    void everyOverwriteOfAServedVolumeNamesItsClients(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        listenOn(robot, "127.0.0.1:0");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, this::serving);
        String status = onFx(() -> fx.vm.serve().statusProperty().get());
        int port = Integer.parseInt(status.replaceAll(".*:(\\d+).*", "$1"));
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(java.util.List.of("prod-pair"));
            String a = pool.admin().addDrive(org.splitpoint.app.testing.TestPools.DRIVE_SIZE); // a save area, as the demo's
            String b = pool.admin().addDrive(org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
            pool.admin().createVolume("snaps", org.splitpoint.engine.pool.Layout.RAID1, java.util.List.of(a, b), 0);
            pool.snapshots().setSaveArea("snaps");
            pool.snapshots().create("prod", "s1");
            return null;
        });
        try (Socket p = client(port, "prod"); Socket b = client(port, "prod-bcv")) {
            String onProd = "127.0.0.1:" + p.getLocalPort();
            String onBcv = "127.0.0.1:" + b.getLocalPort();
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.serve().connectedClients())
                    .containsAll(java.util.List.of(onProd + " using prod", onBcv + " using prod-bcv")));
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.pair("prod-pair").stateProperty().get())
                    == org.splitpoint.engine.pair.PairState.Split);

            java.util.concurrent.CompletableFuture<org.splitpoint.app.common.Confirmation> establish =
                    new java.util.concurrent.CompletableFuture<>();
            robot.interact(() -> fx.vm.pair("prod-pair").establishConfirmation(c -> establish.complete(c.getValue())));
            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            soft.assertThat(establish.get(10, TimeUnit.SECONDS).sentences()).as("an establish's confirmation")
                    .contains(servedSentence("prod-bcv", onBcv)).noneMatch(l -> l.startsWith("prod is served"));

            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> {
                var card = fx.vm.snapshots("prod");
                card.select("s1");
                return card.selectedInfo() != null;
            }));
            soft.assertThat(onFx(() -> fx.vm.snapshots("prod").restoreForm().confirmation().sentences()))
                    .as("a restore to a snapshot's confirmation").contains(servedSentence("prod", onProd));
            soft.assertThat(onFx(() -> fx.vm.restore("prod").restoreForm(null).sentences()))
                    .as("an instant restore's sentences").contains(servedSentence("prod", onProd));
            soft.assertAll();

            robot.clickOn("#serveToggle");
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
            robot.clickOn("#stopAction");
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !serving());
        }
    }

    /**
     * At 1024x700 a client's address reads whole: "127.0.0.1:36926" read "127.0....:36926" (seen by
     * hand with qemu-io connected), the Volume column keeping room it did not use.
     */
    @Test
    void atTheSmallestWindowAClientsAddressIsWhole(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        listenOn(robot, "127.0.0.1:0");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, this::serving);
        String status = onFx(() -> fx.vm.serve().statusProperty().get());
        int port = Integer.parseInt(status.replaceAll(".*:(\\d+).*", "$1"));
        fx.resize(robot, 1024, 700);
        try (Socket s = client(port, "prod")) {
            // a five-digit port, as an ephemeral one mostly is: the widest address of a loopback client
            String me = "127.0.0.1:" + s.getLocalPort();
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup((Node n) ->
                    n instanceof javafx.scene.control.TableCell<?, ?> c && me.equals(c.getText())).tryQuery().isPresent());
            WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass
            WaitForAsyncUtils.waitForFxEvents();
            String shown = onFx(() -> ((javafx.scene.text.Text) robot.lookup((Node n) ->
                    n instanceof javafx.scene.control.TableCell<?, ?> c && me.equals(c.getText())).query()
                    .lookup(".text")).getText());
            assertThat(shown).as("the client's address as drawn").isEqualTo(me);
            robot.clickOn("#serveToggle");
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
            robot.clickOn("#stopAction");
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !serving());
        }
    }

    /** At 1024x700 the clients table's headers read whole: "Requests" read "Reque..." (seen by hand). */
    @Test
    void atTheSmallestWindowEveryColumnHeaderIsWhole(FxRobot robot) throws Exception {
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveClients").tryQuery().isPresent());
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass
        WaitForAsyncUtils.waitForFxEvents();
        java.util.List<String> cut = onFx(() -> robot.lookup("#serveClients .column-header .label").queryAll().stream()
                .map(n -> (javafx.scene.control.Label) n)
                .filter(l -> l.getText() != null && !l.getText().isEmpty())
                .filter(l -> !l.getText().equals(((javafx.scene.text.Text) l.lookup(".text")).getText()))
                .map(l -> ((javafx.scene.text.Text) l.lookup(".text")).getText() + " for " + l.getText()).toList());
        assertThat(cut).as("headers cut at 1024x700").isEmpty();
    }

    /**
     * A snapshot's export with a long name read "prod@befor…" in the Volume column, with nothing to
     * show the rest (seen by hand): the cell's tooltip gives the whole name.
     */
    @Test
    void aLongExportNameCutInTheTableIsWholeInItsTooltip(FxRobot robot) throws Exception {
        String snap = "before-the-upgrade-of-the-payroll-database";
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> { // a save area, as the first-run demo has
            String a = pool.admin().addDrive(org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
            String b = pool.admin().addDrive(org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
            pool.admin().createVolume("snaps", org.splitpoint.engine.pool.Layout.RAID1, java.util.List.of(a, b), 0);
            pool.snapshots().setSaveArea("snaps");
            return pool.snapshots().create("prod", snap);
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        listenOn(robot, "127.0.0.1:0");
        robot.clickOn("#serveToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, this::serving);
        int port = Integer.parseInt(onFx(() -> fx.vm.serve().statusProperty().get()).replaceAll(".*:(\\d+).*", "$1"));
        String export = "prod@" + snap;
        try (Socket s = client(port, export)) {
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".table-cell").queryAll().stream()
                    .anyMatch(c -> ((javafx.scene.control.TableCell<?, ?>) c).getItem() != null
                            && ((javafx.scene.control.TableCell<?, ?>) c).getItem().toString().startsWith(export)));
            javafx.scene.control.TableCell<?, ?> cell = onFx(() -> robot.lookup(".table-cell").queryAll().stream()
                    .map(c -> (javafx.scene.control.TableCell<?, ?>) c)
                    .filter(c -> c.getItem() != null && c.getItem().toString().startsWith(export)).findFirst().orElseThrow());
            String shown = onFx(() -> ((javafx.scene.text.Text) cell.lookup(".text")).getText());
            assertThat(shown).as("the table is too narrow for the whole name").isNotEqualTo(cell.getItem());
            assertThat(onFx(() -> cell.getTooltip() == null ? null : cell.getTooltip().getText()))
                    .isEqualTo(export + " (ro)");
        }
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.serve().connectedClients()).isEmpty());
        robot.clickOn("#serveToggle"); // no client: stops without asking
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !serving());
    }
}
