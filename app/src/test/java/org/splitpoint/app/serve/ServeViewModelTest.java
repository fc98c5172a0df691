package org.splitpoint.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;

/** Serving from the app: start on a free port, see a client, bad addresses, stop. */
class ServeViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private PoolBridge bridge;
    private ServeViewModel vm;

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp), new CurrentThreadTaskExecutor(), ui);
        vm = new ServeViewModel(bridge);
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void startsShowsAClientWithItsVolumeAndStops() throws Exception {
        vm.addressProperty().set("127.0.0.1:0");
        vm.start();
        ui.drain();
        assertThat(vm.servingProperty().get()).isTrue();
        assertThat(vm.statusProperty().get()).startsWith("serving on nbd://127.0.0.1:");
        int port = Integer.parseInt(vm.statusProperty().get().replaceAll(".*:(\\d+).*", "$1"));
        try (Socket s = new Socket("127.0.0.1", port)) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            in.readNBytes(18); // greeting
            out.write(ByteBuffer.allocate(4).putInt(3).array()); // fixed newstyle, no zeroes
            byte[] name = "prod".getBytes();
            out.write(ByteBuffer.allocate(16 + name.length).putLong(0x49484156454f5054L).putInt(1).putInt(name.length)
                    .put(name).array()); // NBD_OPT_EXPORT_NAME
            in.readNBytes(10);
            // the server records the export it answered a moment after the answer went out
            long until = System.nanoTime() + 5_000_000_000L;
            do {
                vm.sample();
                ui.drain();
            } while (!vm.clientsProperty().get().isEmpty() && !"prod".equals(vm.clientsProperty().get().get(0).export())
                    && System.nanoTime() < until);
            assertThat(vm.clientsProperty().get()).singleElement()
                    .satisfies(c -> assertThat(c.export()).isEqualTo("prod"));
        }
        vm.stop();
        ui.drain();
        assertThat(vm.servingProperty().get()).isFalse();
        assertThat(vm.clientsProperty().get()).isEmpty();
        assertThat(vm.statusProperty().get()).isEqualTo("not serving");
    }

    /**
     * A client that connects, writes and leaves between two samples (an nbdcopy of a second) is host
     * I/O all the same: the rate is the change of what every client served, not of the clients
     * connected at both samples (it read 0 B/s for a stream of such copies, seen by hand).
     */
    @Test
    void aClientThatCameAndWentBetweenTwoSamplesCountsInTheHostIoRate() throws Exception {
        vm.addressProperty().set("127.0.0.1:0");
        vm.start();
        ui.drain();
        int port = Integer.parseInt(vm.statusProperty().get().replaceAll(".*:(\\d+).*", "$1"));
        vm.sample();
        ui.drain();
        int len = 1 << 20;
        try (Socket s = new Socket("127.0.0.1", port)) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            in.readNBytes(18);
            out.write(ByteBuffer.allocate(4).putInt(3).array());
            byte[] name = "prod".getBytes();
            out.write(ByteBuffer.allocate(16 + name.length).putLong(0x49484156454f5054L).putInt(1).putInt(name.length)
                    .put(name).array());
            in.readNBytes(10);
            out.write(ByteBuffer.allocate(28).putInt(0x25609513).putShort((short) 0).putShort((short) 1) // NBD_CMD_WRITE
                    .putLong(7).putLong(0).putInt(len).array());
            out.write(new byte[len]);
            ByteBuffer reply = ByteBuffer.wrap(in.readNBytes(16));
            assertThat(reply.getInt()).isEqualTo(0x67446698);
            assertThat(reply.getInt()).as("the write's error").isZero();
            out.write(ByteBuffer.allocate(28).putInt(0x25609513).putShort((short) 0).putShort((short) 2) // NBD_CMD_DISC
                    .putLong(8).putLong(0).putInt(0).array());
            in.readAllBytes(); // the server closes
        }
        long until = System.nanoTime() + 10_000_000_000L;
        boolean gone = false;
        while (!gone && System.nanoTime() < until) {
            Thread.sleep(20);
            gone = vm.connectedClients().isEmpty();
        }
        assertThat(gone).as("the client left").isTrue();
        vm.sample();
        ui.drain();
        assertThat(vm.clientsProperty().get()).as("no client connected at either sample").isEmpty();
        assertThat(vm.writeRateProperty().get()).as("its megabyte in the host write rate").isPositive();
        vm.stop();
        ui.drain();
    }

    @Test
    void aBadAddressIsRefusedWithASentence() {
        vm.addressProperty().set("localhost");
        vm.start();
        ui.drain();
        assertThat(vm.servingProperty().get()).isFalse();
        assertThat(vm.statusProperty().get()).isEqualTo("'localhost' is not HOST:PORT (for example 127.0.0.1:10809)");
    }

    @Test
    void aPortOutOfRangeIsNamedAsSuchNotAsAnAddressThatIsNotHostPort() {
        vm.addressProperty().set("localhost:99999");
        vm.start();
        ui.drain();
        assertThat(vm.servingProperty().get()).isFalse();
        assertThat(vm.statusProperty().get()).isEqualTo("'localhost:99999': the port must be a number from 0 to 65535, not 99999");
    }

    /**
     * "foo:bar" and a port out of range are no address at all: the view asked "Serve the volumes to the
     * network?" for them (seen by hand) and only after "Serve to the network" said it was not HOST:PORT.
     * They need no confirmation: start() refuses them with its sentence.
     */
    @Test
    void anAddressThatIsNotHostPortAsksNothingAboutTheNetwork() {
        for (String notAnAddress : new String[] {"foo:bar", "10.0.0.1:99999", "10.0.0.1:", ":10809"}) {
            vm.addressProperty().set(notAnAddress);
            assertThat(vm.networkExposure()).as(notAnAddress).isNull();
        }
        vm.addressProperty().set("10.0.0.1:10809");
        assertThat(vm.networkExposure()).startsWith("10.0.0.1:10809 is reachable from the network");
        vm.addressProperty().set(" 0.0.0.0:10809 ");
        assertThat(vm.networkExposure()).startsWith("0.0.0.0:10809 listens on every network interface");
    }

    /**
     * The last address's refusal goes once the address is edited, and a start says so at once:
     * "'127.0.0.1:abc' is not HOST:PORT" stayed, in red, under "nohost.invalid:10809" while the app
     * asked whether to serve that one to the network (by hand), as if the new address were refused; it
     * would have stood while the engine bound it too.
     */
    @Test
    void anEditedAddressDropsTheLastRefusalAndAStartSaysItIsStarting() throws Exception {
        vm.addressProperty().set("127.0.0.1:abc");
        vm.start();
        ui.drain();
        assertThat(vm.refusedProperty().get()).isTrue();

        vm.addressProperty().set("127.0.0.1:0");
        assertThat(vm.statusProperty().get()).as("once the address is edited").isEqualTo("not serving");
        assertThat(vm.refusedProperty().get()).isFalse();
        vm.addressProperty().set("127.0.0.1:abc");
        vm.start();
        ui.drain();
        vm.start(); // the same address again: refused again, and stays so while unedited
        ui.drain();
        assertThat(vm.refusedProperty().get()).isTrue();
        vm.addressProperty().set("127.0.0.1:0");
        vm.start(); // the engine's answer waits in the UI's queue
        assertThat(vm.statusProperty().get()).isEqualTo("starting on 127.0.0.1:0…");
        assertThat(vm.refusedProperty().get()).isFalse();
        ui.drain();
        assertThat(vm.statusProperty().get()).startsWith("serving on nbd://127.0.0.1:");
        vm.stop();
        ui.drain();
    }
}
