package org.splitpoint.app.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.BackgroundTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;

/**
 * A drill started from the Drills view while the app is attached to {@code serve}: it runs in the
 * holder, and the view moves as it runs — steps marked in the timeline, the write count growing,
 * the window map drawn — before the result comes back (before, everything waited for the result
 * and the map was never drawn). The bridge runs the command on a worker thread, as the app does;
 * the test's thread is the UI thread, draining what the coalescers post.
 */
class AttachedDrillLiveTest {

    private static final Duration WAIT = Duration.ofSeconds(90); // a loaded 2-CPU CI box

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final BackgroundTaskExecutor executor = new BackgroundTaskExecutor();
    private ServeHolder holder;
    private PoolBridge bridge;
    private DrillViewModel drill;

    @BeforeEach
    void attach() throws Exception {
        Path dir = TestPools.plain(tmp, 16L << 20);
        holder = new ServeHolder(dir);
        bridge = PoolBridge.open(dir, executor, ui);
        assertThat(bridge.attachedTo()).as("the app attaches to the holder").isNotNull();
        drill = new DrillViewModel(bridge, new ActionStatus());
        bridge.onSnapshot(drill::apply);
        bridge.onEvents(drill::addEvents);
        bridge.start();
        holder.pool.admin().createVolume("scratch", org.splitpoint.engine.pool.Layout.RAID1, java.util.List.of("d4", "d5"), 0);
        shows(() -> drill.form().volumes().containsAll(java.util.List.of("prod", "scratch")));
    }

    @AfterEach
    void close() throws Exception {
        // a drill that failed its assertions may still run in the holder: let it end before the pool closes
        TestPools.await(WAIT, ui::drain, () -> !drill.runningProperty().get());
        bridge.close();
        holder.close();
        executor.shutdown();
    }

    private void shows(BooleanSupplier condition) throws InterruptedException {
        assertThat(TestPools.await(WAIT, ui::drain, condition)).as("shown within " + WAIT).isTrue();
    }

    private DrillTimeline.Row row(String name) {
        return drill.steps().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theTimelineTheCountAndTheMapMoveWhileTheHolderRunsTheDrill() throws Exception {
        var f = drill.form();
        f.volumeProperty().set("prod");
        f.driveProperty().set("d2");
        f.reasonProperty().set(OfflineReason.RESET);
        f.modeProperty().set(LogMode.POINTERS);
        f.writesForProperty().set(8);
        shows(() -> f.startBlockedProperty().get().isEmpty());
        assertThat(drill.map().sampleProperty().get()).as("the view is not shown: nothing watched, nothing drawn").isNull();

        drill.start();
        // each condition is looked at only while the result is not back (the UI queue is drained on this thread)
        boolean[] seen = new boolean[3];
        shows(() -> {
            if (drill.resultProperty().get() != null || !drill.stoppedProperty().get().isEmpty()) {
                return true;
            }
            // the reset step or the writes running (on a loaded box the reset may take most of the window)
            seen[0] |= row("offline").state() == DrillTimeline.StepState.DONE
                    && drill.steps().stream().anyMatch(r -> r.state() == DrillTimeline.StepState.RUNNING
                    && (r.name().equals("reset") || r.name().equals("writes")));
            seen[1] |= drill.writesProperty().get().matches("[1-9][0-9,]* writes? · .*");
            DrillSample s = drill.map().sampleProperty().get();
            seen[2] |= s != null && s.cells() != null && "window".equals(s.phase()) && s.owed() > 0
                    && drill.map().lineProperty().get().contains("owed to d2 (the delta)");
            return seen[0] && seen[1] && seen[2];
        });
        assertThat(drill.resultProperty().get()).as("all three were seen before the drill ended").isNull();
        assertThat(drill.runningProperty().get()).isTrue();
        assertThat(holder.pool.snapshot().drive("d2").state()).as("the drive is out in the holder meanwhile")
                .isEqualTo(DriveState.OFFLINE);

        shows(() -> drill.resultProperty().get() != null || !drill.stoppedProperty().get().isEmpty());
        assertThat(drill.stoppedProperty().get()).isEmpty();
        assertThat(drill.figuresProperty().get().verdict().word()).isEqualTo("PASSED");
        assertThat(drill.steps()).as("the engine's exact timeline replaced the live one")
                .allMatch(r -> r.state() == DrillTimeline.StepState.DONE);
        shows(() -> drill.map().sampleProperty().get() != null && "done".equals(drill.map().sampleProperty().get().phase()));
        DrillSample last = drill.map().sampleProperty().get();
        assertThat(last.drained()).as("the map's last picture: the whole delta written back")
                .isEqualTo(drill.resultProperty().get().tracksResynced()).isPositive();
        assertThat(drill.map().lineProperty().get()).contains("window over: ").contains("written back to d2");

        f.volumeProperty().set("scratch");
        assertThat(drill.map().sampleProperty().get()).as("another volume: not the drilled volume's picture").isNull();
        assertThat(drill.map().lineProperty().get()).isEmpty();
    }

    /**
     * End drill now while attached: the holder's 'drill end' reaches the drill the holder runs, which
     * ends its 5-minute window at once and comes back with its delta resynced; the view's result says
     * it ended early. (The app ended drills only here before: no command carried it to the holder.)
     */
    @Test
    void endDrillNowReachesTheDrillTheHolderRuns() throws Exception {
        var f = drill.form();
        f.volumeProperty().set("prod");
        f.driveProperty().set("d2");
        f.reasonProperty().set(OfflineReason.RESET);
        f.modeProperty().set(LogMode.DATA);
        f.writesForProperty().set(300);
        shows(() -> f.startBlockedProperty().get().isEmpty());
        drill.start();
        shows(() -> drill.steps().stream().anyMatch(r -> r.name().equals("writes") && r.state() == DrillTimeline.StepState.RUNNING)
                && drill.writesProperty().get().matches("[1-9][0-9,]* writes? · .*"));
        assertThat(drill.endBlockedProperty().get()).isEmpty();
        long asked = System.nanoTime();
        drill.endNow();
        ui.drain();
        assertThat(drill.endBlockedProperty().get()).as("asked once").isNotEmpty();
        shows(() -> drill.resultProperty().get() != null || !drill.stoppedProperty().get().isEmpty());
        assertThat((System.nanoTime() - asked) / 1e9).as("long before the window's 5 minutes").isLessThan(80);
        assertThat(drill.stoppedProperty().get()).isEmpty();
        var r = drill.resultProperty().get();
        assertThat(r.endedEarly()).isTrue();
        assertThat(r.tracksResynced()).isPositive().isEqualTo(r.deltaTracks());
        assertThat(drill.figuresProperty().get().verdict().word()).isEqualTo("PASSED");
        assertThat(holder.pool.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
    }

    /**
     * A window opened in the holder by anything but a drill started here (`drive offline`, another
     * app) is drawn while the view is shown: the holder streams the followed volume's window. It was
     * not drawn at all before ("a service window opened otherwise is not drawn here").
     */
    @Test
    void aWindowOpenedInTheHolderByACommandIsDrawnWhileTheViewIsShown() throws Exception {
        var f = drill.form();
        f.volumeProperty().set("prod");
        drill.map().start(); // the view shown
        try {
            shows(() -> drill.map().lineProperty().get().contains("no service window on prod"));

            holder.pool.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS).await(60_000);
            // whole stripes (prod is a RAID 5 of 3 drives: 2 strips of a track each), which change every member:
            // stripe s is member track s, owed to d2 while it is out
            int stripe = 2 * holder.pool.trackSize();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(stripe);
            holder.pool.device("prod").write(5L * stripe, b);
            holder.pool.device("prod").write(9L * stripe, b.clear());
            shows(() -> {
                DrillSample s = drill.map().sampleProperty().get();
                return s != null && "window".equals(s.phase()) && s.owed() == 2
                        && drill.map().lineProperty().get().contains("2 tracks owed to d2 (the delta)");
            });

            f.volumeProperty().set("scratch");
            shows(() -> drill.map().lineProperty().get().contains("no service window on scratch"));
            drill.map().stop();
            f.volumeProperty().set("prod");
            holder.pool.device("prod").write(12L * stripe, b.clear());
            Thread.sleep(1000);
            ui.drain();
            assertThat(drill.map().lineProperty().get()).as("the view hidden: nothing streamed").doesNotContain("owed to d2");
            drill.map().start();
            shows(() -> drill.map().lineProperty().get().contains("3 tracks owed to d2 (the delta)"));
        } finally {
            drill.map().stop();
            holder.pool.service().online("d2").await(60_000);
        }
    }
}
