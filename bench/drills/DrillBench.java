import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.ServiceAdmin;
import org.splitpoint.engine.pool.VolumeState;

/**
 * Drive service drills benchmark (issue 9, "Benchmark"), started by bench/drills/run.sh
 * ({@code bench/run.sh drills}); see bench/README.md.
 *
 * <p>One pool, created and filled once (untimed): a raid5 volume "v" of BENCH_SIZE_MIB (1 GiB) over
 * BENCH_DRILLS_DRIVES (4) sparse drives, 64 KiB strips and tracks. Drive d2 is the one serviced and
 * rebuilt. Timed, same run, in two regimes (page cache warm: the member images read through the
 * cache before each resync and rebuild; cold: {@code sync; echo 3 > drop_caches} before every sample):
 *
 * <ol>
 * <li>resync: {@code service().offline("d2", RESET, mode)} (steps instant:
 *     {@code splitpoint.serviceStepScale=0}), P% of the volume's 64 KiB tracks written whole at
 *     random (distinct tracks, random order, one thread, a flush at the end), then
 *     {@code service().online("d2")} to DONE, against a full rebuild of d2 in the same repetition
 *     ({@code failDrive("d2")}, then {@code replaceDrive("d2")} to DONE). P = 1 (target ≤ 3%) and 10
 *     (target ≤ 15%); each mode: pointers, data, repository.</li>
 * <li>rsync: in the pointers sample, d2's image is copied at offline time (the stale image) and
 *     after the resync (the up-to-date one); then {@code rsync -I --inplace --no-whole-file} from
 *     the up-to-date copy onto the stale one, plus {@code sync} of it; ratio of the times.</li>
 * <li>write: the window's writes (line 1) per mode against the same writes (same tracks, same
 *     order) with the volume OPTIMAL; ratio of the throughputs.</li>
 * </ol>
 *
 * <p>{@code DrillBench WORK OUT.md} runs the benchmark; {@code DrillBench WORK - profile} runs one
 * pass of each path through a timing file layer with a JFR recording per phase (WORK/jfr/*.jfr).
 */
public final class DrillBench extends Harness {

    static final int TRACK = 64 * 1024;
    static final int STRIP = 64 * 1024;
    static final String DRIVE = "d2";
    static final Pattern RSYNC_STAT = Pattern.compile("(Literal|Matched) data: ([\\d,.]+) bytes");

    final Path work;
    final Path dir;
    final Path stale;
    final Path fresh;
    final int reps;
    final long size;
    final int members;
    final List<Integer> percents = new ArrayList<>();
    final List<LogMode> modes = new ArrayList<>();
    final List<String> regimes;
    final ByteBuffer random;
    final long volumeTracks;
    /** Member drive size: just enough member rows for the volume, a multiple of the strip. */
    final long memberSize;
    Pool pool;
    StorageFactory storage = StorageFactory.real();
    int shift;

    DrillBench(Path work, int reps) {
        this.work = work;
        this.reps = reps;
        this.size = Long.parseLong(env("BENCH_SIZE_MIB", "1024")) * MIB;
        this.members = Integer.parseInt(env("BENCH_DRILLS_DRIVES", "4"));
        for (String p : env("BENCH_DRILLS_PERCENTS", "1,10").split(",")) {
            percents.add(Integer.parseInt(p.trim()));
        }
        for (String m : env("BENCH_DRILLS_MODES", "pointers,data,repository").split(",")) {
            modes.add(LogMode.parse(m.trim()));
        }
        this.regimes = List.of(env("BENCH_DRILLS_REGIMES", "warm,cold").split(","));
        this.dir = work.resolve("pool");
        this.stale = work.resolve("stale.img");
        this.fresh = work.resolve("fresh.img");
        if (size % MIB != 0 || members < 3) {
            throw new IllegalArgumentException("BENCH_SIZE_MIB in MiB; BENCH_DRILLS_DRIVES >= 3");
        }
        this.volumeTracks = size / TRACK;
        this.memberSize = parityMemberSize(size, members, STRIP);
        random = randomBuffer(64);
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        if (System.getProperty("splitpoint.serviceStepScale") == null) {
            System.setProperty("splitpoint.serviceStepScale", "0"); // a reset's simulated step takes no time
        }
        Path work = Path.of(args[0]).toAbsolutePath();
        DrillBench b = new DrillBench(work, Integer.parseInt(env("BENCH_REPS", "4"))); // even: as many of each order
        Files.createDirectories(work);
        b.runSuite(args, b.regimes, b::prepare, (regime, cold) -> {
            for (int rep = 1; rep <= b.reps; rep++) {
                b.repetition(regime, rep);
            }
        }, b::report, b::profile, () -> {
            if (b.pool != null) {
                b.pool.close();
            }
            b.cleanup();
        });
    }

    // ---- preparation ----------------------------------------------------------------------------

    /** The pool, its volume filled with random bytes, and one untimed round (JIT, the files' blocks allocated). */
    void prepare() throws Exception {
        cleanup();
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        openNewPool();
        System.out.printf("prepared: raid5 volume of %d MiB over %d drives of %.1f MiB (%d member-row tracks of 64 KiB,"
                        + " %d volume tracks), filled, in %.1f s%n", size / MIB, members, memberSize / (double) MIB,
                pool.volume("v").rowTracks(), volumeTracks, secs(t0));
        t0 = System.nanoTime();
        rebuild(false);
        for (LogMode m : modes) {
            long[] tracks = pick(percents.get(0), 7);
            window(m, tracks, null);
        }
        System.out.printf("warm-up round (a rebuild, a window per mode, untimed) in %.1f s%n", secs(t0));
    }

    void openNewPool() throws Exception {
        deleteTree(dir);
        Pool.create(dir, members, memberSize, TRACK, StorageFactory.real());
        pool = Pool.open(dir, storage);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            names.add("d" + i);
        }
        pool.admin().createVolume("v", Layout.RAID5, names, size);
        BlockDevice d = pool.device("v");
        for (long at = 0; at < size; at += MIB) {
            d.write(at, random.slice((int) (at % random.capacity()), MIB));
        }
        d.flush();
    }

    /** {@code percent}% of the volume's tracks, distinct, in random order (seeded). */
    long[] pick(int percent, long seed) {
        int n = (int) Math.round(volumeTracks * percent / 100.0);
        Random r = new Random(seed);
        Set<Long> s = new LinkedHashSet<>();
        while (s.size() < n) {
            s.add((long) (r.nextDouble() * volumeTracks));
        }
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    /** Writes each track whole (bytes from the random buffer, shifted per sample), then flushes; returns the bytes. */
    long writeTracks(long[] tracks, int sample) throws Exception {
        BlockDevice d = pool.device("v");
        int slots = random.capacity() / TRACK;
        for (int i = 0; i < tracks.length; i++) {
            d.write(tracks[i] * TRACK, bytesOf(i, sample, slots));
        }
        d.flush();
        return (long) tracks.length * TRACK;
    }

    ByteBuffer bytesOf(int i, int sample, int slots) {
        return random.slice((int) (((long) i * 7 + (long) sample * 131) % slots) * TRACK, TRACK);
    }

    List<Path> images() {
        List<Path> out = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            out.add(dir.resolve("drives").resolve("d" + i + ".img"));
        }
        return out;
    }

    /**
     * Before a timed sample: the write-intent bits of earlier samples aged out (three flushes with no
     * writes clear every bit: a track stays dirty two flush intervals after its last write, and a
     * write to a track still dirty skips the fsync that a write to a clean one pays), sync and
     * settle; cold: drop the caches; warm: read these files through the cache.
     */
    void ready(boolean cold, List<Path> warmFiles) throws Exception {
        for (int i = 0; i < 3; i++) {
            pool.device("v").flush();
        }
        settle();
        if (cold) {
            dropCaches();
        } else {
            for (Path f : warmFiles) {
                readThrough(f);
            }
        }
    }

    // ---- one repetition -----------------------------------------------------------------------------

    /**
     * A full rebuild of d2 (first on odd repetitions, last on even ones); per percentage (1, 10 on odd
     * repetitions; 10, 1 on even), the OPTIMAL writes (before the windows on odd repetitions, after
     * them on even) and one window per mode (the order rotating), the pointers window with its rsync.
     */
    void repetition(String regime, int rep) throws Exception {
        boolean cold = regime.equals("cold");
        boolean odd = rep % 2 == 1;
        System.out.printf("%s: repetition %d/%d (load average %s)%n", regime, rep, reps, load());
        if (odd) {
            rebuildSample(regime, cold);
        }
        List<Integer> pcts = new ArrayList<>(percents);
        if (!odd) {
            java.util.Collections.reverse(pcts);
        }
        for (int pct : pcts) {
            long[] tracks = pick(pct, 1000L * rep + pct + (cold ? 500 : 0));
            if (odd) {
                optimalSample(regime, cold, pct, tracks);
            }
            List<LogMode> order = new ArrayList<>(modes);
            java.util.Collections.rotate(order, rep - 1);
            for (LogMode m : order) {
                windowSample(regime, cold, pct, m, tracks, rep == 1);
            }
            if (!odd) {
                optimalSample(regime, cold, pct, tracks);
            }
        }
        if (!odd) {
            rebuildSample(regime, cold);
        }
    }

    void rebuildSample(String regime, boolean cold) throws Exception {
        double s = rebuild(cold);
        record("rebuild " + regime, s);
        System.out.printf("  %-34s %8.3f s %9.1f MiB/s of the drive%n", "full rebuild of " + DRIVE + " " + regime, s,
                memberSize / (double) MIB / s);
    }

    /** failDrive, then replaceDrive to DONE (timed from replaceDrive on); the replaced image deleted. */
    double rebuild(boolean cold) throws Exception {
        pool.admin().failDrive(DRIVE);
        List<Path> others = new ArrayList<>(images());
        others.remove(dir.resolve("drives").resolve(DRIVE + ".img"));
        ready(cold, others);
        long t0 = System.nanoTime();
        Job j = pool.admin().replaceDrive(DRIVE);
        await(j);
        double s = secs(t0);
        removeReplaced();
        if (pool.volume("v").state() != VolumeState.OPTIMAL) {
            throw new IllegalStateException("the volume is " + pool.volume("v").state() + " after the rebuild");
        }
        return s;
    }

    void optimalSample(String regime, boolean cold, int pct, long[] tracks) throws Exception {
        ready(cold, List.of());
        long t0 = System.nanoTime();
        long bytes = writeTracks(tracks, ++shift);
        double s = secs(t0);
        record("write optimal " + pct + " " + regime, s);
        System.out.printf("  %-34s %8.3f s %9.1f MiB/s%n", "write " + pct + "% OPTIMAL " + regime, s, bytes / (double) MIB / s);
    }

    void windowSample(String regime, boolean cold, int pct, LogMode mode, long[] tracks, boolean verify) throws Exception {
        String key = mode.word() + " " + pct + " " + regime;
        boolean withRsync = mode == LogMode.POINTERS;
        double[] t = window(mode, tracks, new Timing(cold, withRsync));
        record("write " + key, t[0]);
        record("resync " + key, t[1]);
        ServiceAdmin.Return r = pool.service().lastReturn(DRIVE);
        record("resync " + key + " tracks", r.tracksResynced());
        record("resync " + key + " total", r.totalTracks());
        record("resync " + key + " job", r.seconds());
        System.out.printf("  %-34s write %7.3f s %7.1f MiB/s; resync %7.3f s (job %.3f s), %d of %d tracks%n",
                mode.word() + " window " + pct + "% " + regime, t[0], tracks.length * (double) TRACK / MIB / t[0], t[1],
                r.seconds(), r.tracksResynced(), r.totalTracks());
        if (verify) {
            long t0 = System.nanoTime();
            long bad = pool.admin().verify("v", false, null);
            if (bad != 0) {
                throw new IllegalStateException(key + ": verify found " + bad + " mismatched sectors after the resync");
            }
            System.out.printf("    verify after the resync: parity consistent on every row (%.1f s, untimed)%n", secs(t0));
        }
        if (withRsync) {
            rsyncSample(regime, cold, pct);
        }
    }

    /** How a window is timed: null for an untimed one (the warm-up). */
    record Timing(boolean cold, boolean copyStale) { }

    /**
     * A service window of d2 in {@code mode}: offline (the reset's step awaited), the tracks written
     * and flushed, online to DONE; returns {write seconds, resync seconds}. With {@code copyStale}
     * d2's image is copied at offline time to stale.img and after the resync to fresh.img.
     */
    double[] window(LogMode mode, long[] tracks, Timing timing) throws Exception {
        Job steps = pool.service().offline(DRIVE, OfflineReason.RESET, mode);
        if (steps != null) {
            await(steps);
        }
        Path image = dir.resolve("drives").resolve(DRIVE + ".img");
        if (timing != null && timing.copyStale()) {
            copy(image, stale);
        }
        int sample = ++shift;
        if (timing != null) {
            ready(timing.cold(), List.of());
        }
        long t0 = System.nanoTime();
        writeTracks(tracks, sample);
        double w = secs(t0);
        if (pool.volume("v").state() == VolumeState.OPTIMAL) {
            throw new IllegalStateException("the volume is OPTIMAL with " + DRIVE + " offline");
        }
        if (timing != null) {
            ready(timing.cold(), images());
        }
        t0 = System.nanoTime();
        Job j = pool.service().online(DRIVE);
        await(j);
        double s = secs(t0);
        ServiceAdmin.Return r = pool.service().lastReturn(DRIVE);
        if (pool.volume("v").state() != VolumeState.OPTIMAL || r == null || r.wholeRebuild() != null) {
            throw new IllegalStateException("after the " + mode.word() + " resync: volume " + pool.volume("v").state()
                    + ", return " + r);
        }
        check(tracks, sample);
        if (timing != null && timing.copyStale()) {
            copy(image, fresh);
        }
        return new double[] {w, s};
    }

    /** Untimed: the last 8 tracks written read back as written (through the volume, d2 included in the rows). */
    void check(long[] tracks, int sample) throws Exception {
        int slots = random.capacity() / TRACK;
        for (int i = Math.max(0, tracks.length - 8); i < tracks.length; i++) {
            ByteBuffer b = ByteBuffer.allocate(TRACK);
            pool.device("v").read(tracks[i] * TRACK, b);
            ByteBuffer want = bytesOf(i, sample, slots);
            if (!b.flip().equals(want)) {
                throw new IllegalStateException("track " + tracks[i] + " does not read back as written");
            }
        }
    }

    /** rsync of the up-to-date copy onto the stale one (+ sync), timed; then the two compared (untimed). */
    void rsyncSample(String regime, boolean cold, int pct) throws Exception {
        ready(cold, List.of(stale, fresh));
        long t0 = System.nanoTime();
        String out = exec(List.of("rsync", "-I", "--inplace", "--no-whole-file", "--stats", fresh.toString(), stale.toString()));
        exec(List.of("sync", stale.toString()));
        double s = secs(t0);
        if (Files.mismatch(stale, fresh) != -1) {
            throw new IllegalStateException("rsync left the stale image different from the up-to-date one");
        }
        double literal = Double.NaN;
        double matched = Double.NaN;
        Matcher m = RSYNC_STAT.matcher(out);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2).replace(",", ""));
            if (m.group(1).equals("Literal")) {
                literal = v;
            } else {
                matched = v;
            }
        }
        record("rsync " + pct + " " + regime, s);
        record("rsync " + pct + " " + regime + " literal", literal);
        System.out.printf("  %-34s %8.3f s (literal data %.1f MiB, matched %.1f MiB)%n", "rsync " + pct + "% " + regime, s,
                literal / MIB, matched / MIB);
        Files.delete(stale);
        Files.delete(fresh);
    }

    static void copy(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** The images of replaced drives the engine set aside (disk space). */
    void removeReplaced() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("drives"))) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().contains(".img.replaced-")) {
                    Files.delete(p);
                }
            }
        }
    }

    void cleanup() throws IOException {
        deleteTree(dir);
        Files.deleteIfExists(stale);
        Files.deleteIfExists(fresh);
    }

    // ---- report -------------------------------------------------------------------------------------

    void report(Path out) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("| regime | line | ours | reference | ratio (best runs) | target | result | seconds: ours; reference |\n");
        md.append("|---|---|---:|---:|---:|---|---|---|\n");
        List<String[]> console = new ArrayList<>();
        double driveMib = memberSize / (double) MIB;
        for (String regime : regimes) {
            String reg = regime.equals("cold") ? "cold (caches dropped)" : "warm";
            String rb = "rebuild " + regime;
            for (int pct : percents) {
                double target = pct <= 1 ? 0.03 : pct <= 10 ? 0.15 : Double.NaN;
                long n = Math.round(volumeTracks * pct / 100.0);
                for (LogMode m : modes) {
                    String k = "resync " + m.word() + " " + pct + " " + regime;
                    double r = med(k) / med(rb);
                    String res = Double.isNaN(target) ? "—" : r <= target ? "PASS" : "MISS";
                    double share = med(k + " tracks") / med(k + " total");
                    md.append(String.format("| %s | 1. resync after a window with %d%% of the volume's tracks written (%d × 64 KiB),"
                                    + " %s: %.0f of %.0f member-row tracks resynced (%.1f%%; %.1f× a rebuild's time per track) vs a"
                                    + " full rebuild of %s (%.0f MiB) | %.3f s | %.3f s | %.3f (%.3f) | %s | %s | %s; %s |%n", reg, pct, n,
                            m.word(), med(k + " tracks"), med(k + " total"), 100 * share, r / share, DRIVE, driveMib, med(k), med(rb), r,
                            best(k) / best(rb), Double.isNaN(target) ? "none" : String.format("≤ %.2f", target), bold(res),
                            runs(k, 1, "%.3f"), runs(rb)));
                    console.add(new String[] {regime, String.format("resync %d%% %s / rebuild", pct, m.word()),
                            String.format("%.3f s", med(k)), String.format("%.3f s", med(rb)), String.format("%.3f", r),
                            Double.isNaN(target) ? "-" : String.format("<=%.2f", target), res});
                }
            }
            for (int pct : percents) {
                String q = "rsync " + pct + " " + regime;
                for (LogMode m : modes) {
                    String k = "resync " + m.word() + " " + pct + " " + regime;
                    double r = med(k) / med(q);
                    md.append(String.format("| %s | 2. the stale image of %s after the %d%% window brought up to date: resync (%s) vs"
                                    + " `rsync -I --inplace --no-whole-file` of the up-to-date image onto it + sync (literal data"
                                    + " %.1f MiB) | %.3f s | %.3f s | %.3f (%.3f) | none in the issue (time ratio, < 1: ours faster)"
                                    + " | — | %s; %s |%n", reg, DRIVE, pct, m.word(), med(q + " literal") / MIB, med(k), med(q), r,
                            best(k) / best(q), runs(k, 1, "%.3f"), runs(q)));
                    console.add(new String[] {regime, String.format("resync %d%% %s / rsync", pct, m.word()),
                            String.format("%.3f s", med(k)), String.format("%.3f s", med(q)), String.format("%.3f", r), "-", "-"});
                }
            }
            for (int pct : percents) {
                double mib = Math.round(volumeTracks * pct / 100.0) * (double) TRACK / MIB;
                String o = "write optimal " + pct + " " + regime;
                for (LogMode m : modes) {
                    String k = "write " + m.word() + " " + pct + " " + regime;
                    double ours = mib / med(k);
                    double peer = mib / med(o);
                    md.append(String.format("| %s | 3. host writes during the %d%% window (%.1f MiB of whole random 64 KiB tracks +"
                                    + " flush), %s, vs the same writes with the volume OPTIMAL | %.1f MiB/s | %.1f MiB/s | %.2f (%.2f)"
                                    + " | none in the issue | — | %s; %s |%n", reg, pct, mib, m.word(), ours, peer, ours / peer,
                            best(o) / best(k), runs(k, 1, "%.3f"), runs(o, 1, "%.3f")));
                    console.add(new String[] {regime, String.format("write %d%% %s / OPTIMAL", pct, m.word()),
                            String.format("%.1f MiB/s", ours), String.format("%.1f MiB/s", peer), String.format("%.2f", ours / peer),
                            "-", "-"});
                }
            }
        }
        md.append(String.format("%nRaid5 volume of %d MiB over %d drives of %.1f MiB (64 KiB strips and tracks; %d member-row tracks,"
                        + " %d volume tracks), filled once; drive %s is serviced (`drive offline --reason reset`, its step instant)"
                        + " and, for the reference, failed and replaced. A window's writes are distinct random volume tracks written"
                        + " whole from one thread with a flush at the end; each touches one member-row track, whose every member's"
                        + " strip a pointers window then names. Resync: from `online()` to the job DONE (the job's own time in the"
                        + " console output); rebuild: from `replaceDrive()` to DONE. rsync: the stale image is %s's at offline time"
                        + " (pointers sample), the up-to-date one a copy of it after the resync; `rsync -I --inplace"
                        + " --no-whole-file --stats` then `sync` of the file. Warm: nothing dropped, the member images (rsync: both"
                        + " images) read through the page cache before each resync, rebuild and rsync; cold: `sync; echo 3 >"
                        + " /proc/sys/vm/drop_caches` before every sample.%s %d repetitions per regime, one sample per line each"
                        + " (rebuild first on odd repetitions, last on even; the modes' order rotating); medians shown, the ratio of"
                        + " the best runs in brackets. Load average (1/5/15 min) per regime: %s.%n", size / MIB, members, driveMib,
                pool.volume("v").rowTracks(), volumeTracks, DRIVE, DRIVE,
                dropNote(), reps,
                loadsText()));
        writeTables(out, md, console, "reference");
    }

    // ---- profile ------------------------------------------------------------------------------------

    /**
     * One pass of each path through a timing file layer, with a JFR recording per phase: a full
     * rebuild warm and cold; per percentage the OPTIMAL writes, and per mode the window's writes and
     * the resync (warm), and the pointers resync again cold.
     */
    void profile() throws Exception {
        Path jfr = jfrDir(work);
        Set<String> phases = phases("BENCH_DRILLS_PHASES", "rebuild,write,resync");
        storage = new FileTiming.TimedStorage(this::kind);
        prepare();
        if (phases.contains("rebuild")) {
            for (boolean cold : new boolean[] {false, true}) {
                String name = "rebuild-" + (cold ? "cold" : "warm");
                pool.admin().failDrive(DRIVE);
                List<Path> others = new ArrayList<>(images());
                others.remove(dir.resolve("drives").resolve(DRIVE + ".img"));
                ready(cold, others);
                double s = profiled(name, jfr, () -> await(pool.admin().replaceDrive(DRIVE)));
                FileTiming.print("full rebuild of " + DRIVE + ", " + (cold ? "cold" : "warm"), s, memberSize);
                removeReplaced();
            }
        }
        for (int pct : percents) {
            long[] tracks = pick(pct, 99 + pct);
            long bytes = (long) tracks.length * TRACK;
            if (phases.contains("write")) {
                ready(false, List.of());
                double s = profiled("write-optimal-" + pct, jfr, () -> writeTracks(tracks, ++shift));
                FileTiming.print(pct + "% of the tracks written, volume OPTIMAL, warm", s, bytes);
            }
            for (LogMode m : modes) {
                List<Boolean> colds = m == LogMode.POINTERS ? List.of(false, true) : List.of(false);
                for (boolean cold : colds) {
                    profileWindow(m, pct, tracks, cold, phases, jfr);
                }
            }
        }
        System.out.println("\nJFR recordings: " + jfr + " (bench/drills/run.sh --profile summarizes them)");
    }

    void profileWindow(LogMode m, int pct, long[] tracks, boolean cold, Set<String> phases, Path jfr) throws Exception {
        String tag = m.word() + "-" + pct + "-" + (cold ? "cold" : "warm");
        long bytes = (long) tracks.length * TRACK;
        Job steps = pool.service().offline(DRIVE, OfflineReason.RESET, m);
        if (steps != null) {
            await(steps);
        }
        int sample = ++shift;
        ready(cold, List.of());
        if (phases.contains("write") && !cold) {
            double s = profiled("write-" + tag, jfr, () -> writeTracks(tracks, sample));
            FileTiming.print(pct + "% of the tracks written in a " + m.word() + " window, warm", s, bytes);
        } else {
            writeTracks(tracks, sample);
        }
        ready(cold, images());
        if (phases.contains("resync")) {
            double s = profiled("resync-" + tag, jfr, () -> await(pool.service().online(DRIVE)));
            ServiceAdmin.Return r = pool.service().lastReturn(DRIVE);
            FileTiming.print(String.format("resync after a %d%% %s window, %s: %d of %d tracks (job %.3f s)", pct, m.word(),
                    cold ? "cold" : "warm", r.tracksResynced(), r.totalTracks(), r.seconds()), s, r.tracksResynced() * TRACK);
        } else {
            await(pool.service().online(DRIVE));
        }
        check(tracks, sample);
    }

    /** Something timed in a profile. */
    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with the file calls counted afresh and a JFR recording; returns its seconds. */
    double profiled(String name, Path jfr, Body body) throws Exception {
        FileTiming.clear();
        Recording rec = startJfr();
        long t0 = System.nanoTime();
        body.run();
        double s = secs(t0);
        mark(name, t0);
        stopJfr(rec, jfr.resolve(name + ".jfr"));
        return s;
    }

    /** The profile's names for files (bench/instant/FileTiming.java times them): the first pattern found in the name. */
    static final String[][] KINDS = {
        {"^" + DRIVE + "\\.img$", "drive " + DRIVE}, {"\\.img$", "member (others)"}, {"\\.wib$", "write-intent"},
        {"\\.journal$", "stripe journal"}, {"\\.delta$", "delta bitmap"}, {"\\.delta\\.log$", "delta log"},
        {"\\.repo", "repository"}, {"^pool\\.json", "pool.json"},
    };

    String kind(Path p) {
        String n = p.getFileName().toString();
        for (String[] k : KINDS) {
            if (Pattern.compile(k[0]).matcher(n).find()) {
                return k[1];
            }
        }
        return "other " + n.replaceAll("^[^.]*\\.", "*.");
    }
}
