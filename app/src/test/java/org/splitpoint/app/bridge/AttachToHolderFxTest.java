package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.nav.NavViewModel;
import org.splitpoint.app.pair.PairConsoleView;
import org.splitpoint.app.pair.PairConsoleViewModel;
import org.splitpoint.app.pair.TrackSample;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.NbdWriter;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pair.PairState;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The app opening a pool that {@code serve} holds: it attaches over the control socket, shows the
 * holder's volumes and pair live, has the holder split the pair while a host writes to the STD
 * over NBD, and leaves the holder serving when it closes.
 */
@ExtendWith(ApplicationExtension.class)
class AttachToHolderFxTest {

    private static final int TRACK = 64 << 10;
    private static final long WAIT = 60; // seconds: a loaded 2-CPU CI box

    @TempDir
    static Path tmp;
    private ServeHolder holder;
    private FxPools fx;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path dir = TestPools.demo(tmp.resolve("t" + System.nanoTime()), TestPools.PAIR_DRIVE_SIZE);
        holder = new ServeHolder(dir);
        fx = FxPools.open(stage, dir, java.util.List.of());
        stage.titleProperty().bind(fx.vm.titleProperty());
    }

    @AfterEach
    void close() throws Exception {
        if (fx != null) {
            fx.close();
        }
        holder.close();
    }

    private String shownState() throws Exception {
        return onFx(() -> fx.view.consoleProperty().get() == null ? "" : fx.view.consoleProperty().get().shownState());
    }

    @Test
    void theAppAttachesAndTheHolderSplitsThePairWhileAHostWritesOverNbd(FxRobot robot) throws Exception {
        long pid = ProcessHandle.current().pid();
        assertThat(fx.bridge.attachedTo()).isEqualTo("serve, pid " + pid);
        assertThat(onFx(stage::getTitle)).endsWith("(attached to serve, pid " + pid + ")");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.nav().treeProperty().get() != null
                && volumesShown(fx.vm.nav().treeProperty().get()).containsAll(java.util.List.of("prod", "prod-bcv"))));

        robot.interact(() -> fx.vm.nav().selectedProperty().set(NavItem.pair("prod-pair")));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        PairConsoleViewModel pair = fx.vm.pair("prod-pair");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> onFx(() -> pair.sampleProperty().get() != null));

        HostWrites host = new HostWrites(holder.port());
        try {
            host.start();
            WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> host.acknowledged.get() >= 20);

            robot.clickOn("#splitPair");
            WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> "Split".equals(shownState()));
            assertThat(holder.pool.pairs().get("prod-pair").state()).as("the holder carried out the split")
                    .isEqualTo(PairState.Split);
            int atSplit = host.acknowledged.get();
            WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> host.acknowledged.get() >= atSplit + 20);
            // writes after the split mark STD tracks invalid: the track map streamed from the holder shows them
            WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> onFx(() -> stdInvalidCells(pair.sampleProperty().get()) > 0));
        } finally {
            host.stop();
        }
        assertThat(host.failure.get()).as("the host's writes").isNull();
        host.checkAgainst(holder);
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.events().events().stream()
                .anyMatch(e -> e.message().startsWith("command received: splitpoint pair split"))));

        fx.close(); // the app closes: only its connection goes
        fx = null;
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> holder.feed.subscribers() == 0);
        try (NbdWriter again = new NbdWriter(holder.port(), "prod")) {
            assertThat(again.read(0, 16)).as("the holder still serves").hasSize(16);
        }
        assertThat(holder.pool.pairs().get("prod-pair").state()).isEqualTo(PairState.Split);
    }

    @Test
    void anActionTheHolderRefusesFailsWithItsSentence(FxRobot robot) throws Exception {
        robot.interact(() -> fx.vm.nav().selectedProperty().set(NavItem.pair("prod-pair")));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> "Synchronized".equals(shownState()));
        holder.pool.pairs().split(java.util.List.of("prod-pair")); // behind the app's back: it still offers Split
        AtomicReference<String> failed = new AtomicReference<>();
        fx.bridge.run(HolderAction.of(HolderCommands.split(java.util.List.of("prod-pair")), pool -> null),
                ok -> failed.set("succeeded"), failed::set);
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> failed.get() != null);
        assertThat(failed.get()).doesNotStartWith("splitpoint:").contains("prod-pair").contains("Split");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> "Split".equals(shownState()));
    }

    @Test
    void whenTheHolderGoesAwayTheAppHearsWhy() throws Exception {
        AtomicReference<String> gone = new AtomicReference<>();
        fx.bridge.onHolderGone(gone::set);
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> holder.feed.subscribers() == 1);
        holder.close();
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> gone.get() != null);
        assertThat(gone.get()).contains("serve, pid " + ProcessHandle.current().pid()).contains("closed the pool");
    }

    private static java.util.List<String> volumesShown(NavViewModel.Tree t) {
        return t.groups().stream().filter(g -> g.item().key().equals(NavItem.VOLUMES))
                .flatMap(g -> g.children().stream()).map(NavItem::label).toList();
    }

    private static long stdInvalidCells(TrackSample s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.cells().count(); i++) {
            n += s.cells().std(i);
        }
        return n;
    }

    /** A host writing whole tracks of the STD over NBD, one at a time, remembering what was acknowledged. */
    private static final class HostWrites {
        final AtomicInteger acknowledged = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Map<Long, byte[]> last = new ConcurrentHashMap<>();
        private final int port;
        private volatile boolean stop;
        private Thread thread;

        HostWrites(int port) {
            this.port = port;
        }

        void start() {
            thread = new Thread(() -> {
                Random r = new Random(13);
                try (NbdWriter w = new NbdWriter(port, "prod")) {
                    long tracks = w.size() / TRACK;
                    for (int i = 0; !stop; i++) {
                        long at = (long) r.nextInt((int) Math.min(tracks, 256)) * TRACK;
                        byte[] data = new byte[TRACK];
                        Arrays.fill(data, (byte) (i * 31 + 7));
                        ByteBuffer.wrap(data).putLong(at).putInt(i);
                        w.write(at, data);
                        last.put(at, data);
                        acknowledged.incrementAndGet();
                    }
                    w.flush();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "test-nbd-host");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join(TimeUnit.SECONDS.toMillis(WAIT));
        }

        /** Every acknowledged write is on the holder's STD. */
        void checkAgainst(ServeHolder h) throws Exception {
            var std = h.pool.device("prod");
            for (Map.Entry<Long, byte[]> e : last.entrySet()) {
                ByteBuffer b = ByteBuffer.allocate(TRACK);
                std.read(e.getKey(), b);
                assertThat(b.array()).as("track at " + e.getKey()).isEqualTo(e.getValue());
            }
        }
    }
}
