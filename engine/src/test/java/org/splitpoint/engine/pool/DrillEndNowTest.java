package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.TestPools;

/**
 * A drill's window ended early ({@link Drill#endNow}): the drill goes on as at its planned end, the
 * drive back ONLINE with exactly its delta resynced and the data whole, long before the window's
 * planned end, and a second failure not yet due does not happen. Before, a drill could not be ended:
 * a long window ran to its end (only the reason's steps' job could be cancelled, from Jobs).
 */
class DrillEndNowTest {

    @TempDir
    Path tmp;

    private static final List<Integer> WRITTEN = List.of(3, 10, 11, 40);

    @ParameterizedTest(name = "{0} log")
    @EnumSource(LogMode.class)
    void endingTheWindowEarlyResyncsExactlyTheDeltaAndTheDataIsWhole(LogMode mode) throws Exception {
        Path a = pool(tmp, "end-" + mode, Layout.RAID1, 2, 8L << 20);
        try (Pool p = Pool.open(a)) {
            List<org.splitpoint.engine.event.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            p.addListener(events::add);
            AtomicReference<String> said = new AtomicReference<>();
            long t0 = System.nanoTime();
            // a window planned for 5 minutes, a second failure due after 4; the hosts write 4 whole tracks
            // in it, flushed, and the administrator ends it at once
            Drill.Result r = Drill.run(p, new Drill.Plan("v", "d2", OfflineReason.RESET, mode, Duration.ofMinutes(5),
                    Duration.ofMinutes(4), false), (step, detail) -> {
                        if (step.equals("writes")) {
                            try {
                                var host = p.device("v");
                                for (int t : WRITTEN) {
                                    host.write((long) t * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x5A)));
                                }
                                host.flush();
                                said.set(Drill.endNow(p, "v"));
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        }
                    });
            double secs = (System.nanoTime() - t0) / 1e9;
            assertThat(said.get()).isEqualTo("the drill on v/d2 ends its window now: d2 comes back ONLINE, its delta is"
                    + " resynced and the volume is verified");
            assertThat(secs).as("the drill ended long before its planned 5 minutes").isLessThan(60);
            assertThat(r.endedEarly()).isTrue();
            assertThat(r.summary()).endsWith("; the window was ended early");
            assertThat(r.timeline()).extracting(Drill.Step::name).contains(Drill.ENDED_EARLY, "online", "resync", "verify")
                    .doesNotContain("second failure", "replace");
            Drill.Step ended = r.timeline().stream().filter(s -> s.name().equals(Drill.ENDED_EARLY)).findFirst().orElseThrow();
            assertThat(ended.detail()).startsWith("the window was ended at the administrator's request ")
                    .endsWith(" after d2 went OFFLINE (300 s planned; the second failure had not come yet)");
            assertThat(r.secondFailure()).isNull();
            assertThat(r.deltaTracks()).as(r.summary()).isEqualTo(WRITTEN.size());
            assertThat(r.tracksResynced()).as("exactly the delta: " + r.summary()).isEqualTo(WRITTEN.size());
            assertThat(r.verifyMismatches()).isZero();
            assertThat(r.workloadErrors()).isZero();
            assertThat(r.severity()).isEqualTo(org.splitpoint.engine.event.Severity.INFO);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(p.snapshot().drive("d2").service()).isNull();
            assertThat(p.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            // d2 alone holds the window's writes: its delta reached it
            p.admin().failDrive("d1");
            for (int t : WRITTEN) {
                assertThat(ServicePools.read(p.volume("v"), (long) t * TRACK, TRACK)).as("track " + t)
                        .isEqualTo(TestPools.filled(TRACK, 0x5A));
            }
            assertThat(ServicePools.read(p.volume("v"), 0, TRACK)).isEqualTo(new byte[TRACK]);
            assertThatThrownBy(() -> Drill.endNow(p, "v")).isInstanceOf(PoolException.class)
                    .hasMessage("no drill is running on volume v");
            // the reset's end says the drill brings d2 back, not to bring it back by hand in the middle of a drill
            assertThat(stepEvents(events)).anyMatch(m -> m.startsWith("reset of d2 done (reset) in ")
                    && m.endsWith("; the drill brings it back when its window ends")).noneMatch(m -> m.contains("drive online"));
        }
    }

    private static List<String> stepEvents(List<org.splitpoint.engine.event.Event> events) throws InterruptedException {
        Thread.sleep(300); // the dispatcher's thread delivers them
        return events.stream().filter(e -> e.type().equals("SERVICE_STEP")).map(org.splitpoint.engine.event.Event::message)
                .toList();
    }

    @Test
    void endingDuringTheFirmwareStepsCancelsThemAndTheTestDataReadsBack() throws Exception {
        Path a = pool(tmp, "fw", Layout.RAID5, 3, 16L << 20);
        String was = System.getProperty("splitpoint.serviceStepScale");
        System.setProperty("splitpoint.serviceStepScale", "30"); // the firmware steps take 2 minutes
        try (Pool p = Pool.open(a)) {
            List<org.splitpoint.engine.event.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            p.addListener(events::add);
            long t0 = System.nanoTime();
            AtomicReference<Throwable> pastWindow = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean asked = new java.util.concurrent.atomic.AtomicBoolean();
            Drill.Result r = Drill.run(p, new Drill.Plan("v", "d2", OfflineReason.FIRMWARE, LogMode.POINTERS,
                    Duration.ofMinutes(5), null, true), new Drill.Listener() {
                        @Override
                        public void step(String name, String detail) {
                            if (name.equals("resync")) {
                                try {
                                    Drill.endNow(p, "v");
                                } catch (PoolException e) {
                                    pastWindow.set(e);
                                }
                            }
                        }

                        @Override
                        public void writes(long writes, long bytes) {
                            // the test data is being written, the firmware steps still run (asked once: the
                            // drill tells its count during the resync too)
                            if (writes >= 20 && asked.compareAndSet(false, true)) {
                                try {
                                    Drill.endNow(p, "v");
                                } catch (PoolException e) {
                                    throw new AssertionError(e);
                                }
                            }
                        }
                    });
            assertThat((System.nanoTime() - t0) / 1e9).as("the steps' 2 minutes did not run out").isLessThan(60);
            assertThat(r.timeline()).filteredOn(s -> s.name().equals("firmware")).singleElement()
                    .extracting(Drill.Step::detail).isEqualTo("firmware cancelled");
            assertThat(r.endedEarly()).isTrue();
            assertThat(pastWindow.get()).hasMessage("the drill on v/d2 is already past its window: d2 is back and its"
                    + " delta is being resynced and checked");
            assertThat(r.writes()).isGreaterThanOrEqualTo(20);
            assertThat(r.workloadErrors()).as(r.summary()).isZero();
            assertThat(r.bytesLost()).isZero();
            assertThat(r.verifyMismatches()).isZero();
            assertThat(r.tracksResynced()).as(r.summary()).isPositive().isEqualTo(r.deltaTracks());
            assertThat(p.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(stepEvents(events)).contains("firmware of d2 cancelled; the drill brings it back")
                    .noneMatch(m -> m.contains("stays OFFLINE"));
        } finally {
            if (was == null) {
                System.clearProperty("splitpoint.serviceStepScale");
            } else {
                System.setProperty("splitpoint.serviceStepScale", was);
            }
        }
    }

    @Test
    void noDrillOnTheVolumeIsSaid() throws Exception {
        Path a = pool(tmp, "none", Layout.RAID1, 2);
        try (Pool p = Pool.open(a)) {
            assertThatThrownBy(() -> Drill.endNow(p, "v")).isInstanceOf(PoolException.class)
                    .hasMessage("no drill is running on volume v");
            assertThatThrownBy(() -> Drill.endNow(p, "nope")).isInstanceOf(PoolException.class);
        }
    }
}
