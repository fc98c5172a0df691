package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A service drill: the whole rehearsal of a drive service window as one run, on the real engine —
 * the drive goes OFFLINE with its reason, the reason's steps run, a verified workload of random
 * writes goes on meanwhile, optionally another member fails in the window, the drive comes back
 * online with its delta, and the volume is verified. The CLI's {@code drill run} and the app's
 * Drills view run this class.
 *
 * <p>The workload writes 16 KiB blocks at random 16 KiB-aligned places through the volume's host
 * view, each block's bytes derived from (block, generation), and reads every block it wrote back
 * at the end: a block that reads otherwise is a workload error; one on a track a second failure
 * lost must fail to read (never return stale bytes), and counts as bytes lost. The tracks a second
 * failure took are counted apart (the hosts' writes lose tracks too, where the drill's own lose
 * bytes): a drill that lost either did not pass, and its DRILL event is a warning (pointers mode,
 * which says it loses them) or critical ({@link Result#severity}).
 *
 * <p>Ending early ({@link #endNow}): an administrator who started a drill by mistake, or whose window
 * runs long, ends the window now rather than at its planned end. The drill is found by its volume in
 * the pool's running drills (the process holding the pool runs it: the app, or serve for a forwarded
 * {@code drill run}, where a forwarded {@code drill end} reaches it). It is a request the drill's own
 * thread acts on at its next look (every 100 ms): the reason's steps' job is cancelled, the workload
 * stops, a second failure not yet due does not happen, and the drill goes on as at a planned end —
 * the drive comes back ONLINE, its delta resyncs, the blocks written are read back and the volume is
 * verified — so nothing the window took in is left unsaid or unchecked. Nothing is interrupted:
 * interrupting the drill's thread would close its channels and fail a drive. A zero-length
 * {@link #ENDED_EARLY} step in the timeline says when and at what point.
 */
public final class Drill {

    /**
     * What to rehearse; {@code secondFailureAfter} null for none. {@code workload}: the drill writes
     * its own verified test data over the volume's blocks for {@code writesFor} (it overwrites what
     * is there: a scratch volume, or a confirmed choice); without it the window stays open that long
     * with the hosts' own writes only.
     */
    public record Plan(String volume, String drive, OfflineReason reason, LogMode mode, Duration writesFor,
                       Duration secondFailureAfter, boolean workload) {
        public Plan(String volume, String drive, OfflineReason reason, LogMode mode, Duration writesFor,
                    Duration secondFailureAfter) {
            this(volume, drive, reason, mode, writesFor, secondFailureAfter, true);
        }
    }

    /** One step of the timeline: its name, when it started and ended, and what it did. */
    public record Step(String name, Instant start, Instant end, String detail) {
        public double seconds() {
            return Duration.between(start, end).toNanos() / 1e9;
        }
    }

    /**
     * The figures of a drill. {@code tracksResynced} of the drive's {@code totalTracks} (a full
     * rebuild writes them all); {@code estimatedFullRebuildSeconds} at the resync's own rate per
     * track; {@code bytesLost} the workload's bytes a second failure lost (reads of them fail).
     * {@code testData}: whether the drill wrote its own test data ({@code writes}, {@code bytesWritten});
     * without it the hosts' writes are all the window saw, and {@code deltaTracks}/{@code deltaBytes}
     * (what the delta held as the drive came back, as {@code pool status} says it) are what it did.
     */
    public record Result(String volume, String drive, OfflineReason reason, LogMode mode, Instant started,
                         long tracksResynced, long totalTracks, double resyncSeconds, double estimatedFullRebuildSeconds,
                         long writes, long bytesWritten, long writesRefused, long workloadErrors, long bytesLost,
                         long lostTracks, long verifyMismatches, String secondFailure, String wholeRebuild,
                         List<Step> timeline, boolean testData, long deltaTracks, long deltaBytes) {

        /** A drill that wrote its test data, its delta untold. */
        public Result(String volume, String drive, OfflineReason reason, LogMode mode, Instant started,
                      long tracksResynced, long totalTracks, double resyncSeconds, double estimatedFullRebuildSeconds,
                      long writes, long bytesWritten, long writesRefused, long workloadErrors, long bytesLost,
                      long lostTracks, long verifyMismatches, String secondFailure, String wholeRebuild,
                      List<Step> timeline) {
            this(volume, drive, reason, mode, started, tracksResynced, totalTracks, resyncSeconds,
                    estimatedFullRebuildSeconds, writes, bytesWritten, writesRefused, workloadErrors, bytesLost, lostTracks,
                    verifyMismatches, secondFailure, wholeRebuild, timeline, true, 0, 0);
        }

        /**
         * What the window's writes were: "1234 writes (19 MiB)" of test data, or without it what the
         * hosts' writes put in the delta, "102 tracks (6.4 MiB) in the delta" (a count of 0 writes
         * said nothing of them).
         */
        public String windowWrites() {
            return testData ? writes + " writes (" + Sizes.format(bytesWritten) + ")"
                    : deltaWords(deltaTracks, deltaBytes);
        }

        /**
         * How the drill went, as its DRILL event says it: CRITICAL when a write read back wrong, parity or
         * mirrors disagreed, or a mode that promises no loss lost bytes or tracks; WARNING when pointers
         * mode lost what a second failure took (its test data's bytes, or only tracks the hosts wrote: a
         * drill that lost tracks did not pass, whoever wrote them); INFO when nothing was lost.
         */
        public Severity severity() {
            boolean lost = bytesLost > 0 || lostTracks > 0;
            if (workloadErrors > 0 || verifyMismatches > 0 || (lost && mode != LogMode.POINTERS)) {
                return Severity.CRITICAL;
            }
            return lost ? Severity.WARNING : Severity.INFO;
        }

        /**
         * Why the tracks resynced can outnumber the delta's: the delta is counted as the drive came back,
         * and the hosts' writes go on into a data log or repository during the return, which replays
         * them too ("97 tracks in the delta" beside "137 replayed" read as a wrong count). " (97 in the
         * delta as d2 came back, 40 written by the hosts during the return)", or "" when they agree.
         */
        public String resyncedBeyondDelta() {
            long more = tracksResynced - deltaTracks;
            return deltaTracks <= 0 || more <= 0 ? "" : " (" + deltaTracks + " in the delta as " + drive + " came back, "
                    + more + " written by the hosts during the return)";
        }

        /** Whether the window was ended before its planned end ({@link #endNow}). */
        public boolean endedEarly() {
            return timeline != null && timeline.stream().anyMatch(s -> s.name().equals(ENDED_EARLY));
        }

        /** The resync's tracks as a fraction of a full rebuild's. */
        public double resyncFraction() {
            return totalTracks == 0 ? 0 : (double) tracksResynced / totalTracks;
        }

        /** One line: what the drill shows. */
        public String summary() {
            return String.format("drill on %s/%s (%s, %s%s): %d of %d tracks resynced%s (%.2f%% of a full rebuild) in %.2f s"
                            + "%s; %s%s; %s bytes lost%s; %d verify mismatches; %d workload errors",
                    volume, drive, reason.word(), mode.word(), secondFailure == null ? "" : ", second failure of " + secondFailure,
                    tracksResynced, totalTracks, resyncedBeyondDelta(), 100 * resyncFraction(), resyncSeconds, estimatedFullRebuildSeconds > 0
                            ? String.format(" vs ~%.1f s for a full rebuild", estimatedFullRebuildSeconds) : "",
                    windowWrites(), writesRefused > 0 ? ", " + writesRefused + " refused" : "",
                    bytesLost, lostTracks > 0 ? " (" + lostWords(lostTracks) + ")" : "", verifyMismatches, workloadErrors)
                    + (endedEarly() ? "; the window was ended early" : "");
        }
    }

    /**
     * "70 tracks lost": the tracks a second failure took, as a drill's summary says them (the
     * Drills view's list of past drills reads it back: {@link #lostTracksIn}).
     */
    public static String lostWords(long tracks) {
        return tracks + (tracks == 1 ? " track lost" : " tracks lost");
    }

    /** The tracks lost a drill's summary names ({@link #lostWords}), 0 when it names none. */
    public static long lostTracksIn(String summary) {
        java.util.regex.Matcher m = LOST.matcher(summary == null ? "" : summary);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static final java.util.regex.Pattern LOST = java.util.regex.Pattern.compile("\\((\\d+) tracks? lost\\)");

    /** "the hosts' writes put 102 tracks (6.4 MiB) in the delta": a window without test data, by its delta. */
    public static String deltaWords(long tracks, long bytes) {
        return "the hosts' writes put " + tracks + (tracks == 1 ? " track (" : " tracks (") + Sizes.format(bytes)
                + ") in the delta";
    }

    /** The timeline's step that says the window was ended before its planned end ({@link #endNow}). */
    public static final String ENDED_EARLY = "ended early";

    /** Told as the drill goes: a step starts (its name and what it does). */
    public interface Listener {
        void step(String name, String detail);

        /** The workload's figures so far. */
        default void writes(long writes, long bytes) {
        }
    }

    private static final int BLOCK = 16 * 1024;
    /** The workload's pace: at most this many bytes a second, so a drill shows a delta, not a full copy. */
    private static final long WORKLOAD_BYTES_PER_SECOND = 4L << 20;

    private final Pool pool;
    private final Plan plan;
    private final Listener listener;
    private final List<Step> timeline = new ArrayList<>();
    private final Map<Long, Integer> written = new HashMap<>();
    private final long seed = System.nanoTime();
    /** Set by {@link #endNow}; read by the drill's thread at its next look. */
    private volatile boolean ending;
    /** Set once the drive's return began: from then on there is no window left to end. */
    private volatile boolean returning;
    private volatile long windowStartNanos;
    private String currentName;
    private String currentDetail;
    private Instant currentStart;

    private Drill(Pool pool, Plan plan, Listener listener) {
        this.pool = pool;
        this.plan = plan;
        this.listener = listener == null ? (n, d) -> { } : listener;
    }

    /** Runs the drill of {@code plan} on the calling thread; returns its result. */
    public static Result run(Pool pool, Plan plan, Listener listener) throws IOException, PoolException, InterruptedException {
        return new Drill(pool, plan, listener).run();
    }

    private void begin(String name, String detail) {
        end(null);
        currentName = name;
        currentDetail = detail;
        currentStart = Instant.now();
        listener.step(name, detail);
    }

    private void end(String detail) {
        if (currentName != null) {
            timeline.add(new Step(currentName, currentStart, Instant.now(), detail != null ? detail : currentDetail));
            currentName = null;
        }
    }

    /**
     * What {@link #run} would refuse at its start, checked without starting it (the volume, the drive
     * a member of it, the rules of taking it offline now): the CLI asks for its confirmation only of a
     * drill that can start.
     */
    public static void check(Pool pool, Plan plan) throws PoolException {
        durations(plan);
        member(pool.volume(plan.volume()), plan);
        Refusal.check(DriveRules.offline(PoolSnapshots.of(pool), plan.drive()));
    }

    /**
     * Ends the window of the drill running on {@code volume} now: the drill brings its drive back
     * ONLINE, resyncs the delta and verifies, as at its planned end. Returns what happens, as one
     * sentence; refused with one when no drill runs on the volume in this process, or when the drill
     * is already past its window (bringing the drive back, resyncing, verifying).
     */
    public static String endNow(Pool pool, String volume) throws PoolException {
        Drill d = pool.drills.get(volume);
        if (d == null) {
            pool.volume(volume); // an unknown volume says so
            throw new PoolException("no drill is running on volume " + volume);
        }
        if (d.returning) {
            throw new PoolException("the drill on " + volume + "/" + d.plan.drive() + " is already past its window: "
                    + d.plan.drive() + " is back and its delta is being resynced and checked");
        }
        d.ending = true;
        return "the drill on " + volume + "/" + d.plan.drive() + " ends its window now: " + d.plan.drive()
                + " comes back ONLINE, its delta is resynced and the volume is verified";
    }

    /** Whether a drill of this process has {@code drive} in its window (its steps' events say the drill brings it back). */
    static boolean runsOn(Pool pool, String drive) {
        return pool.drills.values().stream().anyMatch(d -> d.plan.drive().equals(drive) && !d.returning);
    }

    /** The longest a drill's writes, or the wait for its second failure, may last. */
    public static final Duration LONGEST = Duration.ofDays(365);

    /**
     * A duration longer than {@link #LONGEST} is refused before anything changes: the drill counts
     * them in nanoseconds, and '--second-failure-after 999999999999d' (or PT99999999999999H) ended in
     * an internal error (long overflow) once the drive was OFFLINE, leaving it there.
     */
    private static void durations(Plan plan) throws PoolException {
        if (outside(plan.writesFor())) {
            throw new PoolException("a drill writes for 0 to " + LONGEST.toDays() + " days, not " + said(plan.writesFor()));
        }
        if (plan.secondFailureAfter() != null && outside(plan.secondFailureAfter())) {
            throw new PoolException("a drill's second failure comes 0 to " + LONGEST.toDays() + " days after its start, not "
                    + said(plan.secondFailureAfter()));
        }
    }

    private static boolean outside(Duration d) {
        return d != null && (d.isNegative() || d.compareTo(LONGEST) > 0);
    }

    private static String said(Duration d) {
        return d.toDays() != 0 ? d.toDays() + " days" : d.toSeconds() + " s";
    }

    /** The member of {@code v} the drill takes offline, or a sentence naming its members. */
    private static Member member(RaidVolume v, Plan plan) throws PoolException {
        for (Member m : v.members()) {
            if (m.drive().equals(plan.drive())) {
                return m;
            }
        }
        throw new PoolException("drive " + plan.drive() + " is not a member of volume " + plan.volume()
                + " (members: " + String.join(", ", v.members().stream().map(Member::drive).toList()) + ")");
    }

    private Result run() throws IOException, PoolException, InterruptedException {
        durations(plan); // (a caller that did not ask check first)
        Instant started = Instant.now();
        RaidVolume v = pool.volume(plan.volume());
        BlockDevice host = pool.device(plan.volume());
        member(v, plan); // a drive not of the volume is refused before anything changes
        if (pool.drills.putIfAbsent(plan.volume(), this) != null) {
            throw new PoolException("a drill is already running on volume " + plan.volume());
        }
        try {
            return run(started, v, host);
        } finally {
            pool.drills.remove(plan.volume(), this);
        }
    }

    private Result run(Instant started, RaidVolume v, BlockDevice host) throws IOException, PoolException, InterruptedException {
        pool.events.publish(Event.info("DRILL", plan.volume(), "drill started on " + plan.volume() + "/" + plan.drive()
                + ": " + plan.reason().word() + ", " + plan.mode().word() + " log"
                + (plan.secondFailureAfter() == null ? "" : ", second failure after " + plan.secondFailureAfter().toSeconds() + " s")));
        begin("offline", plan.drive() + " OFFLINE (" + plan.reason().word() + "), volume SERVICE, " + plan.mode().word() + " log");
        Job steps = pool.service().offline(plan.drive(), plan.reason(), plan.mode());
        end(null);

        // the workload runs from here to the return, on its own thread, beside the reason's steps
        Workload workload = new Workload(host, v.size());
        Thread writer = new Thread(plan.workload() ? workload : () -> { }, "drill-writes-" + plan.volume());
        writer.setDaemon(true);
        writer.start();
        long windowStart = System.nanoTime();
        windowStartNanos = windowStart;
        try {
            long failAt = plan.secondFailureAfter() == null ? -1 : plan.secondFailureAfter().toNanos();
            if (steps != null) {
                begin(plan.reason().word(), stepsDetail());
                boolean cancelled = false;
                while (!steps.await(100)) {
                    if (ending && !cancelled) {
                        steps.cancel(); // the window ends now: its steps need not run to their end
                        cancelled = true;
                    }
                    listener.writes(workload.writes, workload.bytes);
                    secondFailureIfDue(v, failAt, windowStart); // the other drive may fail during the steps too
                }
                end(plan.reason().word() + " " + steps.state().name().toLowerCase(java.util.Locale.ROOT));
            }
            if (plan.reason() == OfflineReason.REPLACEMENT) {
                begin("replacement", "a blank drive takes " + plan.drive() + "'s place");
                swapInBlank(plan.drive());
                end(null);
            }
            long writesNanos = plan.writesFor() == null ? 0 : plan.writesFor().toNanos();
            begin("writes", plan.workload() ? "a verified workload of random writes while " + plan.drive() + " is out"
                    : "the hosts' own writes while " + plan.drive() + " is out (the drill writes nothing)");
            while (!ending && System.nanoTime() - windowStart < Math.max(writesNanos, failAt + 500_000_000L)) {
                secondFailureIfDue(v, failAt, windowStart);
                listener.writes(workload.writes, workload.bytes);
                Thread.sleep(100);
            }
            secondFailureIfDue(v, failAt, windowStart);
            String second = this.second;
            workload.stop();
            writer.join();
            PoolSnapshot.ServiceView atWritesEnd = windowOf(pool, plan.drive());
            end(!plan.workload() ? deltaWords(atWritesEnd.deltaTracks(), atWritesEnd.deltaBytes())
                    : workload.writes + " writes, " + Sizes.format(workload.bytes)
                    + (workload.refused > 0 ? ", " + workload.refused + " refused (" + workload.firstRefusal + ")" : ""));
            if (ending) {
                endedEarly(writesNanos, failAt);
            }
            try {
                host.flush();
            } catch (IOException e) {
                if (v.state() != VolumeState.FAILED) {
                    throw e;
                } // a second failure left the volume FAILED until the drive returns: nothing more to acknowledge
            }

            returning = true; // (an end asked from here on has nothing left to end)
            begin("online", plan.drive() + " comes back; only its delta is written to it");
            PoolSnapshot.ServiceView window = windowOf(pool, plan.drive());
            Job resync = pool.service().online(plan.drive());
            end(Sizes.count(window.deltaTracks(), "track") + " in the delta as " + plan.drive() + " came back");
            begin("resync", resync.target());
            while (!resync.await(200)) {
                listener.writes(workload.writes, workload.bytes);
            }
            if (resync.state() != JobState.DONE) {
                throw new IOException("the resync of " + plan.drive() + " " + resync.state() + ": " + resync.progress().message());
            }
            ServiceAdmin.Return ret = pool.service().lastReturn(plan.drive());
            end(ret == null ? null : Sizes.count(ret.tracksResynced(), "track") + " resynced" + (ret.tracksResynced() > window.deltaTracks()
                    ? " (" + (ret.tracksResynced() - window.deltaTracks()) + " of them written by the hosts during the return)"
                    : ""));
            if (ret != null && ret.wholeRebuild() != null) {
                begin("rebuild", plan.drive() + " rebuilt whole: " + ret.wholeRebuild());
                awaitRebuildOf(plan.drive());
                end(null);
            }
            if (second != null) {
                begin("replace", second + " replaced by a blank drive and rebuilt");
                Job rebuild = pool.admin().replaceDrive(second);
                if (rebuild != null) {
                    rebuild.await(Long.MAX_VALUE);
                }
                end(null);
            }
            begin("verify", "the workload's blocks read back; the volume's " + (v.layout() == Layout.RAID1 ? "mirrors" : "parity")
                    + " checked");
            long[] check = workload.verify();
            long mismatches = pool.admin().verify(plan.volume(), false, null);
            end(check[0] + " workload errors, " + check[1] + " bytes lost, " + mismatches + " mismatched sectors");
            long total = v.rowTracks();
            long resynced = ret == null ? 0 : ret.tracksResynced();
            double resyncSecs = ret == null ? 0 : ret.seconds();
            double fullEstimate = resynced == 0 ? 0 : resyncSecs / resynced * total;
            List<Long> lost = LostTracks.of(pool, plan.volume());
            Result r = new Result(plan.volume(), plan.drive(), plan.reason(), plan.mode(), started, resynced, total, resyncSecs,
                    fullEstimate, workload.writes, workload.bytes, workload.refused, check[0], check[1], lost.size(), mismatches,
                    second, ret == null ? null : ret.wholeRebuild(),
                    timeline.stream().sorted(java.util.Comparator.comparing(Step::start)).toList(), plan.workload(),
                    window.deltaTracks(), window.deltaBytes());
            pool.events.publish(switch (r.severity()) {
                case CRITICAL -> Event.critical("DRILL", plan.volume(), r.summary());
                case WARNING -> Event.warning("DRILL", plan.volume(), r.summary());
                case INFO -> Event.info("DRILL", plan.volume(), r.summary());
            });
            return r;
        } finally {
            workload.stop();
            writer.join(10_000);
            end(null);
        }
    }

    /** The drive failed as the second failure, once it has; null before (or without one). */
    private String second;

    /**
     * The drive's service window now. Another administrator (the app or the CLI attached to the same
     * pool) may have brought the drive back or failed it meanwhile: the drill then stops with one
     * sentence, not with the missing window.
     */
    private static PoolSnapshot.ServiceView windowOf(Pool pool, String drive) throws PoolException {
        PoolSnapshot.DriveView d = pool.snapshot().drive(drive);
        if (d == null || d.service() == null) {
            throw new PoolException("drive " + drive + " left its service window during the drill (it is "
                    + (d == null ? "gone" : d.state()) + " now); the drill stopped there");
        }
        return d.service();
    }

    /**
     * Fails another member once {@code failAt} nanoseconds of the window have passed (whatever step
     * is running: the reason's steps may outlast it), as its own step of the timeline.
     */
    private void secondFailureIfDue(RaidVolume v, long failAt, long windowStart) throws IOException, PoolException {
        if (failAt < 0 || second != null || ending || System.nanoTime() - windowStart < failAt) {
            return;
        }
        second = secondMember(v, plan.drive());
        Instant at = Instant.now();
        String detail = second + " FAILED while " + plan.drive() + " is OFFLINE";
        listener.step("second failure", detail);
        pool.admin().failDrive(second);
        timeline.add(new Step("second failure", at, Instant.now(), detail));
    }

    /**
     * The window was ended before its planned end: the step that was running ends here, and a
     * zero-length {@link #ENDED_EARLY} step says how far into the window and what was planned.
     */
    private void endedEarly(long writesNanos, long failAt) {
        double in = (System.nanoTime() - windowStartNanos) / 1e9;
        String detail = String.format(java.util.Locale.ROOT, "the window was ended at the administrator's request %.1f s"
                + " after %s went OFFLINE (%d s planned%s)", in, plan.drive(), writesNanos / 1_000_000_000L,
                failAt >= 0 && second == null ? "; the second failure had not come yet" : "");
        end(null);
        Instant at = Instant.now();
        listener.step(ENDED_EARLY, detail);
        timeline.add(new Step(ENDED_EARLY, at, at, detail));
    }

    private String stepsDetail() {
        return switch (plan.reason()) {
            case FIRMWARE -> "download, verify, activate, reset";
            case DIAGNOSTICS -> "a read scan of " + plan.drive() + "'s image";
            case RESET -> "reset";
            case REPLACEMENT -> "";
        };
    }

    /** A replacement drill: the drive's image is replaced by a blank one, as a new drive would be. */
    private void swapInBlank(String drive) throws IOException {
        Drive d = pool.drives.get(drive);
        java.nio.file.Path image = pool.paths.image(drive);
        java.nio.file.Path old = image.resolveSibling(drive + ".img.replaced-" + Instant.now().toString().replace(":", "")
                .replace(".", ""));
        pool.storage.rename(image, old);
        PoolFiles.createImage(pool.storage, pool.paths, drive, d.size);
        pool.storage.syncDirectory(pool.paths.drives());
    }

    /** The member to fail as the second failure: the first ONLINE one that is not in the window. */
    private static String secondMember(RaidVolume v, String offline) throws PoolException {
        for (Member m : v.members()) {
            if (!m.drive().equals(offline) && m.state() == org.splitpoint.engine.pool.DriveState.ONLINE) {
                return m.drive();
            }
        }
        throw new PoolException("volume " + v.name() + " has no other ONLINE member to fail");
    }

    private void awaitRebuildOf(String drive) throws InterruptedException {
        for (Job j : pool.jobs()) {
            if (j.kind().equals("rebuild") && j.target().startsWith(drive + " ")) {
                j.await(Long.MAX_VALUE);
            }
        }
    }

    /** The verified random writes. */
    private final class Workload implements Runnable {
        private final BlockDevice host;
        private final long blocks;
        private volatile boolean stop;
        volatile long writes;
        volatile long bytes;
        volatile long refused;
        volatile String firstRefusal;

        Workload(BlockDevice host, long size) {
            this.host = host;
            this.blocks = size / BLOCK;
        }

        void stop() {
            stop = true;
        }

        @Override
        public void run() {
            Random rnd = new Random(seed);
            long start = System.nanoTime();
            while (!stop && blocks > 0) {
                long b = Math.floorMod(rnd.nextLong(), blocks);
                int gen;
                synchronized (written) {
                    gen = written.getOrDefault(b, 0) + 1;
                }
                try {
                    host.write(b * BLOCK, ByteBuffer.wrap(content(b, gen)));
                    synchronized (written) {
                        written.put(b, gen);
                    }
                    writes++;
                    bytes += BLOCK;
                } catch (IOException e) {
                    refused++;
                    if (firstRefusal == null) {
                        firstRefusal = e.getMessage();
                    }
                    pause(50); // a host would retry later
                }
                long due = bytes * 1_000_000_000L / WORKLOAD_BYTES_PER_SECOND - (System.nanoTime() - start);
                if (due > 0) {
                    pause(due / 1_000_000);
                }
            }
        }

        private void pause(long millis) {
            try {
                Thread.sleep(Math.max(1, millis));
            } catch (InterruptedException e) {
                stop = true;
            }
        }

        /** Reads every block written back: {workload errors, bytes lost}. */
        long[] verify() {
            long errors = 0;
            long lost = 0;
            Map<Long, Integer> copy;
            synchronized (written) {
                copy = new HashMap<>(written);
            }
            for (Map.Entry<Long, Integer> e : copy.entrySet()) {
                byte[] got = new byte[BLOCK];
                try {
                    host.read(e.getKey() * BLOCK, ByteBuffer.wrap(got));
                    if (!java.util.Arrays.equals(got, content(e.getKey(), e.getValue()))) {
                        errors++;
                    }
                } catch (RaidVolume.LostDataException x) {
                    lost += BLOCK;
                } catch (IOException x) {
                    errors++;
                }
            }
            return new long[] {errors, lost};
        }
    }

    /** The bytes of block {@code b}'s generation {@code gen}. */
    private byte[] content(long b, int gen) {
        byte[] out = new byte[BLOCK];
        new Random(seed ^ (b * 0x9E3779B97F4A7C15L) ^ ((long) gen << 40)).nextBytes(out);
        return out;
    }
}
