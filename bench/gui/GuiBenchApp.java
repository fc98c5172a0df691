import java.time.LocalDate;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.animation.AnimationTimer;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.splitpoint.app.bridge.BackgroundTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.pair.PairConsoleView;
import org.splitpoint.app.pair.PairConsoleViewModel;
import org.splitpoint.app.pair.TrackCells;
import org.splitpoint.app.pair.TrackMapCanvas;
import org.splitpoint.app.pair.TrackSample;
import org.splitpoint.app.pool.PoolView;
import org.splitpoint.app.pool.PoolViewModel;
import org.splitpoint.engine.pair.PairState;

/**
 * GUI benchmark, part two: the real main window (1440×900) on the bench pool with the pair console
 * open and the demo's light verified workload on the STD. Measures (1) the FX thread while idle and
 * while a full-speed full restore of the whole STD runs: the gaps between pulses (an AnimationTimer;
 * nominally 16.7 ms at 60 Hz) and how late a Platform.runLater posted every 5 ms runs (the time the
 * FX thread was busy elsewhere: its stalls); (2) drawing the track map of a 1 TiB volume of 64 KiB
 * tracks (16 M tracks): the sampler's counting into cells, and the FX thread's draw per frame, one by
 * one and continuously at every pulse. Prints a Markdown section on stdout.
 */
public final class GuiBenchApp extends Application {

    private static final int MAX = 200_000;
    /** Bytes/s for the restore; 0 (default) is full speed. GUI_BENCH_THROTTLE_MB compares a paced copy. */
    private static final long THROTTLE = Long.parseLong(System.getenv().getOrDefault("GUI_BENCH_THROTTLE_MB", "0")) * 1_000_000L;
    private final long[] gaps = new long[MAX];
    private final long[] gapAt = new long[MAX];
    private volatile long recordStart;
    private final long[] lates = new long[MAX];
    private volatile int gapCount;
    private volatile int lateCount;
    private final AtomicBoolean recording = new AtomicBoolean();
    /** GUI_BENCH_WORST (diagnosis): the FX thread's stack every 2 ms while recording, to name what the longest gap held. */
    private final java.util.List<StackSample> stacks = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /** The FX thread's top frames, {@code at} nanoseconds into the recorded phase. */
    private record StackSample(long at, String frames) { }
    private Thread fxThread;
    private PoolViewModel vm;
    private PoolView view;
    private final StringBuilder out = new StringBuilder();

    @Override
    public void start(Stage stage) throws Exception {
        PoolBridge bridge = PoolBridge.open(GuiBench.pool, new BackgroundTaskExecutor(), Platform::runLater);
        vm = new PoolViewModel(bridge);
        view = new PoolView();
        view.bind(vm);
        stage.setScene(new Scene(view, 1440, 900));
        stage.show();
        vm.start();
        // GUI_BENCH_VIEW=drives (diagnosis) keeps the pair console off screen, to see what it costs
        vm.nav().selectedProperty().set(System.getenv().getOrDefault("GUI_BENCH_VIEW", "pair:prod-pair"));
        vm.workloads().of("prod").start();
        new AnimationTimer() {
            private long last;

            @Override
            public void handle(long now) {
                if (last != 0 && recording.get() && gapCount < MAX) {
                    gapAt[gapCount] = now - recordStart;
                    gaps[gapCount++] = now - last;
                }
                last = now;
            }
        }.start();
        Thread probe = new Thread(this::probe, "bench-probe");
        probe.setDaemon(true);
        probe.start();
        fxThread = Thread.currentThread();
        if (System.getenv("GUI_BENCH_WORST") != null) {
            Thread sampler = new Thread(this::sampleFxStacks, "bench-fx-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }
        Thread driver = new Thread(() -> {
            try {
                drive();
            } catch (Throwable e) {
                e.printStackTrace();
            } finally {
                System.out.print(out);
                System.out.flush();
                Platform.runLater(() -> {
                    vm.close();
                    Platform.exit();
                });
            }
        }, "bench-driver");
        driver.setDaemon(true);
        driver.start();
    }

    /** Posts a task every 5 ms and records how late it runs. */
    private void probe() {
        while (true) {
            long posted = System.nanoTime();
            Platform.runLater(() -> {
                if (recording.get() && lateCount < MAX) {
                    lates[lateCount++] = System.nanoTime() - posted;
                }
            });
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Records the FX thread's top frames every 2 ms while recording (a handshake each: diagnosis only). */
    private void sampleFxStacks() {
        while (true) {
            if (recording.get()) {
                StackTraceElement[] st = fxThread.getStackTrace();
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < Math.min(14, st.length); i++) {
                    b.append(i == 0 ? "" : " < ").append(st[i].getClassName().replaceAll(".*\\.", "")).append('.')
                            .append(st[i].getMethodName()).append(':').append(st[i].getLineNumber());
                }
                stacks.add(new StackSample(System.nanoTime() - recordStart, b.toString()));
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static <T> T fx(java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    private void record(boolean on) {
        if (on) {
            gapCount = 0;
            lateCount = 0;
            stacks.clear();
            recordStart = System.nanoTime();
        }
        recording.set(on);
    }

    private void line(String s) {
        out.append(s).append('\n');
        System.err.println("gui-bench: " + s);
    }

    private void drive() throws Exception {
        Thread.sleep(4000); // the window settles, the JIT warms up, the workload runs
        out.append("\n## GUI: FX thread during a restore, track map drawing (").append(LocalDate.now()).append(")\n\n");
        line("Window 1440x900 under Xvfb (prism " + System.getProperty("prism.order", "default") + "), pair console open,"
                + " light verified workload on the STD (70% reads of 16 KiB, 2 MB/s).");
        line("");
        record(true);
        Thread.sleep(3000);
        record(false);
        report("idle (3 s)");

        PairConsoleViewModel pair = fx(() -> vm.pair("prod-pair"));
        fx(() -> {
            pair.fullProperty().set(true);
            pair.protectProperty().set(true);
            pair.copy().throttleProperty().set(THROTTLE);
            return null;
        });
        // GUI_BENCH_RESTORES=N: N restores one after the other; the first shows what a window's first job costs
        int restores = Integer.parseInt(System.getenv().getOrDefault("GUI_BENCH_RESTORES", "1"));
        for (int i = 1; i <= restores; i++) {
            record(true);
            long t0 = System.nanoTime();
            fx(() -> {
                pair.restore();
                return null;
            });
            boolean started = false;
            while (System.nanoTime() - t0 < 600_000_000_000L) {
                PairState s = fx(() -> pair.stateProperty().get());
                started |= s == PairState.RestInProg;
                if (started && s == PairState.Split) {
                    break;
                }
                Thread.sleep(20);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            record(false);
            report(String.format("full restore of %d MiB at %s (%.1f s, %.0f MB/s)%s", GuiBench.size >> 20,
                    THROTTLE == 0 ? "full speed" : THROTTLE / 1_000_000 + " MB/s", secs, GuiBench.size / secs / 1e6,
                    restores == 1 ? "" : i == 1 ? ", the window's first job" : ", restore " + i));
            Thread.sleep(1000);
        }
        String verified = fx(() -> vm.workloads().of("prod").verifyLineProperty().get());
        line("Workload during the run: " + verified + ".");
        line("");
        if (!"restore".equals(System.getenv("GUI_BENCH_ONLY"))) {
            drawBenchmark();
        }
    }

    private void report(String what) {
        Stats g = new Stats(gaps, gapCount);
        Stats l = new Stats(lates, lateCount);
        if (System.getenv("GUI_BENCH_WORST") != null) { // diagnosis: when the five longest gaps ended
            Integer[] idx = new Integer[gapCount];
            for (int i = 0; i < gapCount; i++) {
                idx[i] = i;
            }
            java.util.Arrays.sort(idx, (a, b) -> Long.compare(gaps[b], gaps[a]));
            StringBuilder w = new StringBuilder("  longest gaps (ms @ s into the phase):");
            for (int i = 0; i < Math.min(5, idx.length); i++) {
                w.append(String.format(" %.0f@%.2f", gaps[idx[i]] / 1e6, gapAt[idx[i]] / 1e9));
            }
            System.err.println(w);
            if (idx.length > 0) { // what the FX thread was doing during the longest gap, by stack
                long end = gapAt[idx[0]];
                long start = end - gaps[idx[0]];
                java.util.Map<String, Integer> seen = new java.util.LinkedHashMap<>();
                synchronized (stacks) {
                    for (StackSample sample : stacks) {
                        if (sample.at() >= start && sample.at() <= end) {
                            seen.merge(sample.frames(), 1, Integer::sum);
                        }
                    }
                }
                System.err.println("  the FX thread during the longest gap (samples every 2 ms, in order of first sight):");
                seen.forEach((k, n) -> System.err.println("    " + n + "x " + k));
            }
        }
        line("- " + what + ": pulse gaps " + g + " (" + Stats.over(gaps, gapCount, 33.4) + " over 33 ms, i.e. a"
                + " frame missed); runLater lateness " + l + " (" + Stats.over(lates, lateCount, 16) + " over 16 ms)");
    }

    private void drawBenchmark() throws Exception {
        long tracks = 16L << 20;
        Random r = new Random(42);
        int words = (int) (tracks / 64);
        long[] std = new long[words];
        long[] bcv = new long[words];
        for (int w = 0; w < words; w++) {
            std[w] = r.nextInt(50) == 0 ? r.nextLong() : 0; // sparse host writes
            bcv[w] = w > words * 2 / 5 && r.nextInt(10) < 7 ? r.nextLong() | r.nextLong() : 0; // a restore 40% along
        }
        long[] count = new long[40];
        TrackCells cells = null;
        for (int i = 0; i < count.length; i++) {
            long t0 = System.nanoTime();
            cells = TrackCells.of(tracks, std, bcv);
            count[i] = System.nanoTime() - t0;
        }
        line("Track map of 1 TiB at 64 KiB tracks (16,777,216 tracks), a restore 40% along with 500 tracks flashing:");
        line("- sampler (background thread) counting both bitmaps into " + cells.count() + " cells: "
                + new Stats(count, count.length));
        TrackCells c = cells;
        TrackMapCanvas map = fx(() -> {
            PairConsoleView console = view.consoleProperty().get();
            console.shown(false); // the live pool's samples would interleave otherwise
            return console.trackMap();
        });
        long[] frames = new long[300];
        String size = fx(() -> (int) map.getWidth() + "x" + (int) map.getHeight() + " px");
        for (int i = 0; i < frames.length; i++) {
            TrackSample s = sample(c, r);
            frames[i] = fx(() -> {
                long t0 = System.nanoTime();
                map.show(s);
                return System.nanoTime() - t0;
            });
        }
        line("- FX thread drawing one frame (" + size + ", grid " + fx(() -> map.grid().cols() + "x" + map.grid().rows()
                + " cells of " + map.grid().cellPx() + " px") + "): " + new Stats(frames, frames.length)
                + " (target ≤ 8 ms)");
        AnimationTimer redraw = new AnimationTimer() {
            @Override
            public void handle(long now) {
                map.show(sample(c, r));
            }
        };
        fx(() -> {
            redraw.start();
            return null;
        });
        Thread.sleep(1000);
        record(true);
        Thread.sleep(3000);
        record(false);
        fx(() -> {
            redraw.stop();
            return null;
        });
        report("a new 16 M-track frame drawn at every pulse (3 s)");
    }

    private static TrackSample sample(TrackCells cells, Random r) {
        long now = System.nanoTime();
        long[] flash = new long[500];
        long[] at = new long[500];
        for (int i = 0; i < flash.length; i++) {
            flash[i] = Math.floorMod(r.nextLong(), cells.tracks());
            at[i] = now - (long) (r.nextDouble() * 900_000_000L);
        }
        java.util.Arrays.sort(at);
        return new TrackSample("bench", PairState.RestInProg, 65536, cells, flash, at, 1234, 56, now);
    }
}
