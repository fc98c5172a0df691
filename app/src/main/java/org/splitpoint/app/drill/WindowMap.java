package org.splitpoint.app.drill;

import java.time.Duration;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.bridge.TaskExecutor;
import org.splitpoint.app.common.Format;

/**
 * The Drills view's track map: one volume's service window sampled five times a second while the
 * view is shown ({@link DrillSampler} on the bridge's timer; the pictures reach the UI thread
 * coalesced, latest wins), and the line over it. Attached to a holder, there is no pool here to
 * sample: while the view is shown the holder streams the followed volume's window (whoever opened it:
 * a drill, `drive offline`, the app), a drill started here also sends it in its own lines ({@link
 * #show}), and the timer only ticks the clock. Each tick also tells {@code onTick} the time, so
 * the running step's clock moves (latest wins too).
 */
public final class WindowMap {

    public static final Duration SAMPLE_PERIOD = Duration.ofMillis(200);

    private final PoolBridge bridge;
    private final DrillSampler sampler = new DrillSampler();
    private final Coalescer<DrillSample> samples;
    private final Coalescer<Long> ticks;
    private TaskExecutor.Repeating sampling;
    /** Attached: the holder's window messages of {@link #watched}, while the view is shown. */
    private TaskExecutor.Repeating watching;
    private String followed;
    private String watched;

    // ---- properties
    private final ReadOnlyObjectWrapper<DrillSample> sample = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper line = new ReadOnlyStringWrapper("");

    WindowMap(PoolBridge bridge, java.util.function.LongConsumer onTick) {
        this.bridge = bridge;
        this.samples = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), this::apply);
        this.ticks = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), onTick::accept);
    }

    /** The latest picture (null: not sampled yet). */
    public ReadOnlyObjectProperty<DrillSample> sampleProperty() {
        return sample.getReadOnlyProperty();
    }

    /** "1,024 tracks of member rows × 64 KiB · 37 tracks owed to d2 (the delta)". */
    public ReadOnlyStringProperty lineProperty() {
        return line.getReadOnlyProperty();
    }

    /** Samples {@code volume}'s window from now on; {@code drive} names the drive it owes tracks to. */
    void follow(String volume, String drive) {
        sampler.volume(volume);
        sampler.drive(drive);
        followed = volume;
        DrillSample shown = sample.get();
        if (bridge.attachedTo() != null && shown != null && !shown.volume().equals(volume)) {
            // another volume chosen: the picture was the last one's, until the holder sends this one's
            sample.set(null);
            line.set("");
        }
        if (sampling != null) {
            watch(volume);
        }
    }

    /** Attached: asks the holder for {@code volume}'s window messages (replacing the last watch). */
    private void watch(String volume) {
        if (bridge.attachedTo() == null || java.util.Objects.equals(volume, watched)) {
            return;
        }
        unwatch();
        watched = volume;
        if (volume != null) {
            watching = bridge.watchWindow(volume, m -> {
                try {
                    show(org.splitpoint.engine.pool.DrillLines.window(m));
                } catch (java.io.IOException e) {
                    System.getLogger(WindowMap.class.getName()).log(System.Logger.Level.WARNING,
                            "a window message of the holder was not understood: " + e.getMessage());
                }
            });
        }
    }

    private void unwatch() {
        if (watching != null) {
            watching.cancel();
            watching = null;
        }
        watched = null;
    }

    void lost(List<Long> tracks) {
        sampler.lost(tracks);
    }

    private void apply(DrillSample s) {
        sample.set(s);
        if (s.cells() == null) {
            line.set("no service window on " + s.volume() + ": the map fills while one of its drives is OFFLINE");
            return;
        }
        String drive = s.drive() == null ? "the drive" : s.drive();
        String where = Format.tracks(s.tracks()) + (s.volumeTracks() ? " of the volume" : " of member rows")
                + " × " + Format.size((long) s.trackSize());
        String now = switch (s.phase()) {
            case "window" -> Format.tracks(s.owed()) + " owed to " + drive + " (the delta)";
            case "resync" -> Format.tracks(s.owed()) + " still owed to " + drive + " · " + Format.count(s.drained())
                    + " written back";
            default -> "window over: " + Format.tracks(s.drained()) + " written back to " + drive;
        };
        line.set(where + " · " + now + (s.lost() > 0 ? " · " + Format.tracks(s.lost()) + " lost" : ""));
    }

    /** Samples while the view is shown. */
    public void start() {
        if (sampling == null && bridge.attachedTo() != null) {
            // no pool here to sample: the holder streams the window (see watch); the running step's clock moves
            sampling = bridge.everyHere(SAMPLE_PERIOD, () -> ticks.offer(System.nanoTime()));
            watch(followed);
        } else if (sampling == null) {
            sampling = bridge.every(SAMPLE_PERIOD, pool -> {
                DrillSample s = sampler.sample(pool);
                if (s != null) {
                    samples.offer(s);
                }
                ticks.offer(System.nanoTime());
                return null;
            });
            sampleNow();
        }
    }

    public void stop() {
        if (sampling != null) {
            sampling.cancel();
            sampling = null;
        }
        unwatch();
    }

    /**
     * One sample now, on the calling (engine) thread: a drill takes it when its drive comes back,
     * the delta final, so every track of it shows as written back after.
     */
    void sampleOn(org.splitpoint.engine.pool.Pool pool) {
        DrillSample s = sampler.sample(pool);
        if (s != null) {
            samples.offer(s);
        }
    }

    /** The window as the holder's drill sent it (attached; on the thread reading its lines). */
    void show(org.splitpoint.engine.pool.DrillLines.Window w) {
        DrillSample s = sampler.sample(w.volume(), w.map(), w.trackSize());
        if (s != null) {
            samples.offer(s);
        }
    }

    /** One sample now, in the background. */
    public void sampleNow() {
        if (bridge.attachedTo() != null) {
            return; // no pool here: the holder sends its window's pictures (see watch)
        }
        bridge.run(pool -> java.util.Optional.ofNullable(sampler.sample(pool)), s -> s.ifPresent(samples::offer), e -> { });
    }
}
