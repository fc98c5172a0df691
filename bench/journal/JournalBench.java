import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import org.splitpoint.engine.backup.ChainReader;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.VolumeState;

/**
 * Staged backup journal benchmark (issue 12, "Benchmark"), started by bench/journal/run.sh
 * ({@code bench/run.sh journal}); see bench/README.md.
 *
 * <p>Two pools of the same shape, created and filled once (untimed): "on" and "off", each a raid5
 * volume "v" of BENCH_SIZE_MIB (1 GiB) over BENCH_JOURNAL_DRIVES (4) drives, 64 KiB strips and
 * tracks. The "on" pool has two more drives holding the volume's journal
 * ({@code pool.journals().enable}, a store directory beside the pools), sized so that the entries of
 * one write sample never reach the journal's size limit (no ship starts by itself), and a limit of
 * 90% of a leg. Timed, same run, in two regimes (page cache warm: nothing dropped; cold:
 * {@code sync; echo 3 > drop_caches} before every sample):
 *
 * <ol>
 * <li>write: the same workload through {@code pool.device("v")} on both pools: sequential 1 MiB
 *     writes over the whole volume, and BENCH_JOURNAL_RANDOM_MIB (256) MiB of 64 KiB writes at
 *     random 64 KiB-aligned offsets (the same offsets and bytes on both sides), each with a
 *     {@code flush()} every BENCH_JOURNAL_FLUSH_MIB (64) MiB and a final one; on, off on odd
 *     repetitions, off, on on even ones. Target on/off >= 0.7.</li>
 * <li>ship: right after each journal-on write sample, {@code pool.journals().ship("v")} to DONE: a
 *     journal holding the sequential sample's entries (the whole volume in 1 MiB entries) against
 *     {@code qemu-img convert -W -m 8 -f raw -O raw plain.img copy.img; sync copy.img} of the same
 *     number of bytes; ship, qemu (qemu, ship on even repetitions). The random sample's ship is
 *     shown too (no peer). Every journal-on sample is shipped, so each starts from an empty
 *     journal.</li>
 * <li>rebuild: BENCH_JOURNAL_REBUILD_MIB (64) MiB of random 64 KiB writes journaled after the
 *     journal's base (a full backup taken before the phase), then two members lost (d1 failed with
 *     {@code failDrive}, d2's image deleted, the pool reopened: FAILED), then
 *     {@code pool.journals().rebuildFromBackup("v", List.of(), 0)} to DONE against
 *     {@code qemu-img convert -W -m 8} of a raw file of the volume's size + sync, in alternating
 *     order. After each rebuild a few blocks are compared and the entries shipped (untimed).
 *     Target >= 0.9.</li>
 * </ol>
 *
 * <p>{@code JournalBench WORK OUT.md} runs the benchmark; {@code JournalBench WORK - profile} runs one
 * pass of each path through a timing file layer with a JFR recording per phase (WORK/jfr/*.jfr).
 */
public final class JournalBench extends Harness {

    static final int TRACK = 64 * 1024;
    static final int STRIP = 64 * 1024;
    static final int RAND_IO = 64 * 1024;

    final Path work;
    final int reps;
    final long size;
    final long randBytes;
    final long flushEvery;
    final long rebuildBytes;
    final int members;
    final List<String> regimes;
    final ByteBuffer random;
    final Path dirOn;
    final Path dirOff;
    final Path store;
    final Path plain;
    final Path copy;
    final List<String> legs = new ArrayList<>();
    long legSize;
    Pool on;
    Pool off;
    StorageFactory storage = StorageFactory.real();
    int sampleNo;

    JournalBench(Path work, int reps) {
        this.work = work;
        this.reps = reps;
        this.size = Long.parseLong(env("BENCH_SIZE_MIB", "1024")) * MIB;
        this.randBytes = Long.parseLong(env("BENCH_JOURNAL_RANDOM_MIB", "256")) * MIB;
        this.flushEvery = Long.parseLong(env("BENCH_JOURNAL_FLUSH_MIB", "64")) * MIB;
        this.rebuildBytes = Long.parseLong(env("BENCH_JOURNAL_REBUILD_MIB", "64")) * MIB;
        this.members = Integer.parseInt(env("BENCH_JOURNAL_DRIVES", "4"));
        this.regimes = List.of(env("BENCH_JOURNAL_REGIMES", "warm,cold").split(","));
        this.dirOn = work.resolve("pool-on");
        this.dirOff = work.resolve("pool-off");
        this.store = work.resolve("store");
        this.plain = work.resolve("plain.img");
        this.copy = work.resolve("copy.img");
        if (size % MIB != 0 || randBytes % RAND_IO != 0 || members < 3) {
            throw new IllegalArgumentException("BENCH_SIZE_MIB, BENCH_JOURNAL_RANDOM_MIB in MiB; BENCH_JOURNAL_DRIVES >= 3");
        }
        random = randomBuffer(64);
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path work = Path.of(args[0]).toAbsolutePath();
        int reps = Integer.parseInt(env("BENCH_REPS", "3"));
        JournalBench b = new JournalBench(work, reps);
        Files.createDirectories(work);
        b.runSuite(args, b.regimes, b::prepare, (regime, cold) -> {
            b.rebase();
            b.writesAndShips(cold);
            b.rebase();
            b.rebuilds(cold, regime.equals(b.regimes.get(0)));
        }, b::report, b::profile, () -> {
            b.closePools();
            b.cleanup();
        });
    }

    // ---- preparation ----------------------------------------------------------------------------

    /** Member drive size: just enough member rows for {@code size} volume bytes, a multiple of the strip. */
    long memberSize() {
        return parityMemberSize(size, members, STRIP);
    }

    /**
     * Pools, prefill, journal, plain file, and a warm-up round that also writes every block of the
     * journal legs once (untimed).
     */
    void prepare() throws Exception {
        cleanup();
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        // a leg holds a sequential sample and a random one, under 90% of the leg (the size limit)
        legSize = ((size + randBytes) * 115 / 100 + MIB - 1) / MIB * MIB;
        on = newPool(dirOn, storage, true);
        off = newPool(dirOff, storage, false);
        for (Pool p : List.of(on, off)) {
            seqWrite(p.device("v"), 0);
        }
        Files.createDirectories(store);
        Job base = on.journals().enable("v", legs, store, legSize * 9 / 10, 0);
        await(base);
        try (FileChannel ch = FileChannel.open(plain, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long at = 0; at < size; at += MIB) {
                ByteBuffer b = random.slice((int) (at % random.capacity()), MIB);
                while (b.hasRemaining()) {
                    ch.write(b, at + b.position());
                }
            }
            ch.force(true);
        }
        System.out.printf("prepared: raid5 volume of %d MiB over %d drives of %d MiB on both pools, filled; journal on"
                        + " %s (legs of %d MiB, size limit %d MiB), base %s; plain.img; in %.1f s%n", size / MIB, members,
                memberSize() / MIB, legs, legSize / MIB, legSize * 9 / 10 / MIB, on.journals().status("v").base(), secs(t0));
        // warm-up (untimed): JIT, and every block of each leg written once (random, ship, random,
        // ship, sequential wrapping the ring, ship), so timed appends overwrite allocated blocks
        t0 = System.nanoTime();
        for (int round = 0; round < 2; round++) {
            randWrite(on.device("v"), 1000 + round);
            randWrite(off.device("v"), 1000 + round);
            await(on.journals().ship("v"));
        }
        seqWrite(on.device("v"), 1);
        seqWrite(off.device("v"), 1);
        await(on.journals().ship("v"));
        System.out.printf("warm-up round (writes on both pools, 3 ships) in %.1f s%n", secs(t0));
    }

    /** A pool at {@code dir}: raid5 volume "v" over d1..dN; with {@code journal}, two more drives for its legs. */
    Pool newPool(Path dir, StorageFactory st, boolean journal) throws Exception {
        deleteTree(dir);
        Pool.create(dir, members, memberSize(), TRACK, StorageFactory.real());
        Pool p = Pool.open(dir, st);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            names.add("d" + i);
        }
        p.admin().createVolume("v", Layout.RAID5, names, size);
        if (journal) {
            legs.clear();
            legs.add(p.admin().addDrive(legSize));
            legs.add(p.admin().addDrive(legSize));
        }
        return p;
    }

    /** The volume's whole size in 1 MiB writes (bytes shifted by {@code shift} MiB in the random buffer), flush every N MiB and at the end. */
    long seqWrite(BlockDevice d, int shift) throws IOException {
        long sinceFlush = 0;
        int cap = random.capacity();
        for (long at = 0; at < size; at += MIB) {
            d.write(at, random.slice((int) ((at + (long) shift * 7 * MIB) % cap), MIB));
            sinceFlush += MIB;
            if (sinceFlush >= flushEvery) {
                d.flush();
                sinceFlush = 0;
            }
        }
        d.flush();
        return size;
    }

    /** randBytes in 64 KiB writes at random 64 KiB-aligned offsets (from {@code seed}), flush every N MiB and at the end. */
    long randWrite(BlockDevice d, long seed) throws IOException {
        return randWrite(d, seed, randBytes, null);
    }

    long randWrite(BlockDevice d, long seed, long bytes, List<Long> offsets) throws IOException {
        Random rnd = new Random(seed);
        long slots = size / RAND_IO;
        int bufSlots = random.capacity() / RAND_IO;
        long sinceFlush = 0;
        for (long done = 0; done < bytes; done += RAND_IO) {
            long at = (long) (rnd.nextDouble() * slots) * RAND_IO;
            d.write(at, random.slice(rnd.nextInt(bufSlots) * RAND_IO, RAND_IO));
            if (offsets != null) {
                offsets.add(at);
            }
            sinceFlush += RAND_IO;
            if (sinceFlush >= flushEvery) {
                d.flush();
                sinceFlush = 0;
            }
        }
        d.flush();
        return bytes;
    }

    /**
     * A full backup of the journal-on volume into the journal's store (the journal's new base; its
     * entries retire) and every other image deleted: the chain is one image again (untimed).
     */
    void rebase() throws Exception {
        long t0 = System.nanoTime();
        await(on.backups().backup("v", store, true, 0));
        String base = on.journals().status("v").base();
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        int deleted = 0;
        for (ImageInfo i : s.list()) {
            if (!i.id().equals(base)) {
                s.delete(i.id());
                deleted++;
            }
        }
        System.out.printf("re-based the journal on a full backup %s (%d older images deleted) in %.1f s%n", base, deleted,
                secs(t0));
    }

    // ---- 1 and 2: writes with the journal on and off, and the ships of the journal-on samples ------

    void writesAndShips(boolean cold) throws Exception {
        String regime = cold ? "cold" : "warm";
        for (int rep = 1; rep <= reps; rep++) {
            // on, off on odd repetitions, off, on on even ones; the ship's peer likewise after or before it
            boolean[] onAt = rep % 2 == 1 ? new boolean[] {true, false} : new boolean[] {false, true};
            for (String kind : List.of("seq", "rand")) {
                System.out.printf("%s writes (%s): repetition %d/%d%n", kind, regime, rep, reps);
                long seed = 100L * rep + (cold ? 50 : 0);
                for (boolean isOn : onAt) {
                    boolean peer = kind.equals("seq") && isOn;
                    if (peer && rep % 2 == 0) {
                        qemuSample("ship peer " + regime, cold, size);
                    }
                    writeSample(isOn, kind, cold, seed);
                    if (isOn) {
                        shipSample(kind, cold);
                    }
                    if (peer && rep % 2 == 1) {
                        qemuSample("ship peer " + regime, cold, size);
                    }
                }
            }
        }
    }

    void writeSample(boolean isOn, String kind, boolean cold, long seed) throws Exception {
        String key = "write " + kind + " " + (isOn ? "on" : "off") + " " + (cold ? "cold" : "warm");
        Pool p = isOn ? on : off;
        BlockDevice d = p.device("v");
        settle();
        if (cold) {
            dropCaches();
        }
        int shift = ++sampleNo;
        long t0 = System.nanoTime();
        long bytes = kind.equals("seq") ? seqWrite(d, shift) : randWrite(d, seed);
        double s = secs(t0);
        record(key, s);
        System.out.printf("  %-26s %8.3f s %9.1f MiB/s%n", key, s, bytes / (double) MIB / s);
    }

    void shipSample(String kind, boolean cold) throws Exception {
        String key = "ship " + kind + " " + (cold ? "cold" : "warm");
        JournalAdmin.Status st = on.journals().status("v");
        long entryBytes = entryBytes();
        int entries = st.entries();
        settle();
        if (cold) {
            dropCaches();
        } else {
            warmChain(st.base());
        }
        long t0 = System.nanoTime();
        Job job = on.journals().ship("v");
        await(job);
        double s = secs(t0);
        JournalAdmin.Status after = on.journals().status("v");
        ImageInfo img = image(after.base());
        if (after.entries() != 0) {
            throw new IllegalStateException(key + ": the journal still holds " + after.entries() + " entries after the ship");
        }
        checkImage(after.base());
        record(key, s);
        record(key + " entry bytes", entryBytes);
        record(key + " image bytes", img.dataBytes());
        System.out.printf("  %-26s %8.3f s %9.1f MiB/s of entries (%d entries, %.0f MiB; image %d tracks, %.0f MiB)%n", key, s,
                entryBytes / (double) MIB / s, entries, entryBytes / (double) MIB, img.tracks(), img.dataBytes() / (double) MIB);
    }

    /** Bytes of volume data the journal's live entries hold. */
    long entryBytes() throws Exception {
        JournalAdmin.Status st = on.journals().status("v");
        // status gives leg bytes (with headers); the volume bytes are the entries' lengths
        return st.bytes() - (long) st.entries() * (32 + 16);
    }

    ImageInfo image(String id) throws IOException {
        for (ImageInfo i : DirectoryStore.open(store, StorageFactory.real(), false).list()) {
            if (i.id().equals(id)) {
                return i;
            }
        }
        throw new IllegalStateException("no image " + id);
    }

    /** Untimed: a few tracks of the chain of {@code id} equal the volume's. */
    void checkImage(String id) throws IOException, Exception {
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        try (ChainReader c = ChainReader.open(s, id)) {
            byte[] a = new byte[TRACK];
            ByteBuffer b = ByteBuffer.allocate(TRACK);
            long tracks = size / TRACK;
            for (long t : new long[] {0, tracks / 3, tracks / 2, tracks - 1, 12345 % tracks}) {
                c.readTrack(t, a);
                b.clear();
                on.device("v").read(t * TRACK, b);
                if (!Arrays.equals(a, b.array())) {
                    throw new IllegalStateException("image " + id + " track " + t + " differs from the volume");
                }
            }
        }
    }

    /** Reads the chain's newest images (data, index) through the page cache until they cover the volume, at most 2 × its size. */
    void warmChain(String id) throws IOException {
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        long tracks = 0;
        long bytes = 0;
        try (ChainReader c = ChainReader.open(s, id)) {
            for (ImageInfo i : c.images()) {
                Path dir = store.resolve("images").resolve(i.id());
                readThrough(dir.resolve("index"));
                bytes += readThrough(dir.resolve("data"));
                tracks += i.tracks();
                if (tracks >= size / TRACK || bytes >= 2 * size) {
                    break;
                }
            }
        }
    }

    void qemuSample(String key, boolean cold, long bytes) throws Exception {
        Files.deleteIfExists(copy);
        settle();
        if (cold) {
            dropCaches();
        } else {
            readThrough(plain);
        }
        long t0 = System.nanoTime();
        exec(List.of("qemu-img", "convert", "-W", "-m", "8", "-f", "raw", "-O", "raw", plain.toString(), copy.toString()));
        exec(List.of("sync", copy.toString()));
        double s = secs(t0);
        record(key, s);
        System.out.printf("  %-26s %8.3f s %9.1f MiB/s%n", key, s, bytes / (double) MIB / s);
        Files.deleteIfExists(copy);
    }

    // ---- 3. rebuild from backup + journal vs qemu-img convert ----------------------------------------

    void rebuilds(boolean cold, boolean warmUp) throws Exception {
        String regime = cold ? "cold" : "warm";
        if (warmUp) {
            System.out.println("rebuild: warm-up (untimed; the whole volume compared by SHA-256)");
            rebuildSample(cold, 7, false, true);
        }
        for (int rep = 1; rep <= reps; rep++) {
            System.out.printf("rebuild (%s): repetition %d/%d%n", regime, rep, reps);
            boolean[] oursAt = rep % 2 == 1 ? new boolean[] {true, false} : new boolean[] {false, true};
            for (boolean ours : oursAt) {
                if (ours) {
                    rebuildSample(cold, 1000L * rep + (cold ? 5 : 0), true, false);
                } else {
                    qemuSample("rebuild peer " + regime, cold, size);
                }
            }
        }
    }

    void rebuildSample(boolean cold, long seed, boolean timed, boolean fullCheck) throws Exception {
        String key = "rebuild " + (cold ? "cold" : "warm");
        // journaled writes after the base, then what the volume holds at some places
        List<Long> offsets = new ArrayList<>();
        randWrite(on.device("v"), seed, rebuildBytes, offsets);
        Random rnd = new Random(seed);
        List<Long> checkAt = new ArrayList<>(offsets.subList(Math.max(0, offsets.size() - 8), offsets.size()));
        for (int i = 0; i < 8; i++) {
            checkAt.add((long) rnd.nextInt((int) (size / MIB)) * MIB);
        }
        List<byte[]> expect = new ArrayList<>();
        for (long at : checkAt) {
            ByteBuffer b = ByteBuffer.allocate(RAND_IO);
            on.device("v").read(at, b);
            expect.add(b.array());
        }
        String shaBefore = fullCheck ? sha256(on.device("v")) : null;
        JournalAdmin.Status st = on.journals().status("v");
        on.close();
        on = null;
        // two members lost: d1 failed by command, d2's image gone
        try (Pool p = Pool.open(dirOn, storage)) {
            p.admin().failDrive("d1");
        }
        Files.delete(dirOn.resolve("drives").resolve("d2.img"));
        on = Pool.open(dirOn, storage);
        if (on.volume("v").state() != VolumeState.FAILED) {
            throw new IllegalStateException("the volume is " + on.volume("v").state() + " after losing d1 and d2, not FAILED");
        }
        JournalAdmin.RebuildPreview pv = on.journals().previewRebuild("v");
        settle();
        if (cold) {
            dropCaches();
        } else {
            warmChain(st.base());
        }
        long t0 = System.nanoTime();
        Job job = on.journals().rebuildFromBackup("v", List.of(), 0);
        await(job);
        double s = secs(t0);
        for (int i = 0; i < checkAt.size(); i++) {
            ByteBuffer b = ByteBuffer.allocate(RAND_IO);
            on.device("v").read(checkAt.get(i), b);
            if (!Arrays.equals(b.array(), expect.get(i))) {
                throw new IllegalStateException(key + ": the rebuilt volume differs at " + checkAt.get(i));
            }
        }
        if (fullCheck) {
            String shaAfter = sha256(on.device("v"));
            if (!shaAfter.equals(shaBefore)) {
                throw new IllegalStateException(key + ": the rebuilt volume's SHA-256 differs from the volume before the loss");
            }
            System.out.println("  the rebuilt volume's SHA-256 equals the volume's before the loss: " + shaAfter.substring(0, 16) + "...");
        }
        if (timed) {
            record(key, s);
            record(key + " entries", pv.entries());
        }
        System.out.printf("  %-26s %8.3f s %9.1f MiB/s (chain %s, %d journal entries, %.0f MiB of entries)%s%n", key, s,
                size / (double) MIB / s, pv.chain(), pv.entries(), pv.entryBytes() / (double) MIB, timed ? "" : " warm-up, not counted");
        removeReplaced();
        await(on.journals().ship("v")); // the next sample starts from an empty journal again
    }

    /** The images of lost drives the rebuild renamed aside (disk space). */
    void removeReplaced() throws IOException {
        try (Stream<Path> s = Files.list(dirOn.resolve("drives"))) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().contains(".img.replaced-")) {
                    Files.delete(p);
                }
            }
        }
    }

    static String sha256(BlockDevice d) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(MIB);
        for (long at = 0; at < d.size(); at += MIB) {
            b.clear().limit((int) Math.min(MIB, d.size() - at));
            d.read(at, b);
            b.flip();
            md.update(b);
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    // ---- report -------------------------------------------------------------------------------------

    void report(Path out) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("| regime | line | ours | peer | ratio (best runs) | target | result | seconds: ours; peer |\n");
        md.append("|---|---|---:|---:|---:|---|---|---|\n");
        List<String[]> console = new ArrayList<>();
        double mib = size / (double) MIB;
        double rmib = randBytes / (double) MIB;
        for (String regime : regimes) {
            String reg = regime.equals("cold") ? "cold (caches dropped)" : "warm";
            for (String kind : List.of("seq", "rand")) {
                String a = "write " + kind + " on " + regime;
                String b = "write " + kind + " off " + regime;
                double bytes = kind.equals("seq") ? mib : rmib;
                double ours = bytes / med(a);
                double peer = bytes / med(b);
                double r = ours / peer;
                String res = r >= 0.7 ? "PASS" : "MISS";
                String what = kind.equals("seq") ? String.format("1. write, sequential 1 MiB, %.0f MiB, journal on vs off", mib)
                        : String.format("1. write, random 64 KiB, %.0f MiB, journal on vs off", rmib);
                md.append(String.format("| %s | %s | %.0f MiB/s | %.0f MiB/s | %.2f (%.2f) | ≥ 0.7 | %s | %s; %s |%n", reg, what,
                        ours, peer, r, best(b) / best(a), bold(res), runs(a), runs(b)));
                console.add(new String[] {regime, "write " + kind + " on/off", String.format("%.0f MiB/s", ours),
                        String.format("%.0f MiB/s", peer), String.format("%.2f", r), ">=0.7", res});
            }
            String s = "ship seq " + regime;
            String q = "ship peer " + regime;
            double eb = med(s + " entry bytes") / MIB;
            double ours = eb / med(s);
            double peer = mib / med(q);
            md.append(String.format("| %s | 2. ship: journal of %.0f MiB in %.0f 1 MiB entries → incremental image vs qemu-img convert"
                            + " -W -m 8 of %.0f MiB + sync | %.0f MiB/s | %.0f MiB/s | %.2f (%.2f) | none set (issue: \"vs\") | — | %s; %s |%n",
                    reg, eb, eb, mib, ours, peer, ours / peer, (eb / best(s)) / (mib / best(q)), runs(s), runs(q)));
            console.add(new String[] {regime, "ship (seq entries) vs qemu", String.format("%.0f MiB/s", ours),
                    String.format("%.0f MiB/s", peer), String.format("%.2f", ours / peer), "-", "-"});
            String sr = "ship rand " + regime;
            double reb = med(sr + " entry bytes") / MIB;
            md.append(String.format("| %s | 2b. ship: journal of %.0f MiB of random 64 KiB entries (%.0f MiB image) | %.0f MiB/s of entries"
                            + " | | | information | | %s |%n", reg, reb, med(sr + " image bytes") / MIB, reb / med(sr), runs(sr)));
            console.add(new String[] {regime, "ship (random entries)", String.format("%.0f MiB/s", reb / med(sr)), "", "", "", ""});
            String rb = "rebuild " + regime;
            String rq = "rebuild peer " + regime;
            double ro = mib / med(rb);
            double rp = mib / med(rq);
            double rr = ro / rp;
            String res = rr >= 0.9 ? "PASS" : "MISS";
            md.append(String.format("| %s | 3. rebuild of %.0f MiB from backup + %.0f MiB of journal entries (two members lost) vs qemu-img"
                            + " convert -W -m 8 of %.0f MiB + sync | %.0f MiB/s | %.0f MiB/s | %.2f (%.2f) | ≥ 0.9 | %s | %s; %s |%n",
                    reg, mib, rebuildBytes / (double) MIB, mib, ro, rp, rr, best(rq) / best(rb), bold(res), runs(rb), runs(rq)));
            console.add(new String[] {regime, "rebuild vs qemu", String.format("%.0f MiB/s", ro), String.format("%.0f MiB/s", rp),
                    String.format("%.2f", rr), ">=0.9", res});
        }
        md.append(String.format("%nRaid5 volume of %.0f MiB over %d drives (64 KiB strips and tracks) in two pools, filled once before the"
                        + " timed runs (writes overwrite); the journal-on pool's journal on two more drives of %d MiB (size limit %d MiB:"
                        + " no ship starts by itself during a sample), its store a directory on the same file system. Writes through"
                        + " `pool.device(\"v\")` from one thread, `flush()` every %d MiB and at the end (timed); random writes at 64"
                        + " KiB-aligned offsets, the same offsets and bytes on both sides. Every journal-on write sample is followed by"
                        + " a timed ship (line 2: the sequential sample's, 2b: the random one's). Rebuild: %d MiB of random 64 KiB writes"
                        + " journaled after a full backup (the journal's base), d1 failed, d2's image deleted, pool reopened (FAILED),"
                        + " then `rebuildFromBackup` to DONE; the entries are shipped after each sample (untimed), so each rebuild"
                        + " applies %d MiB of entries on a chain of the full image and the earlier samples' small incrementals."
                        + " %d repetitions per regime, one sample per side each, in the order ours, peer on odd repetitions and"
                        + " peer, ours on even ones (the peer of a ship is qemu-img; of a journal-on write, the journal-off one): %d"
                        + " samples per side, medians shown. Warm: nothing dropped,"
                        + " the backup images the ship or rebuild reads and qemu-img's source read through the page cache first;"
                        + " cold: `sync; echo 3 > /proc/sys/vm/drop_caches` before every sample.%s Load average (1/5/15 min) per"
                        + " regime: %s.%n", mib, members, legSize / MIB, legSize * 9 / 10 / MIB, flushEvery / MIB, rebuildBytes / MIB,
                rebuildBytes / MIB, reps, reps, dropNote(),
                loadsText()));
        writeTables(out, md, console, "peer");
    }

    // ---- profile ------------------------------------------------------------------------------------

    /**
     * One pass of each path through a timing file layer, with a JFR recording per phase: sequential
     * and random writes with the journal off and on (warm), the ship of each journal-on sample (warm,
     * then a sequential one cold), and a rebuild warm and cold.
     */
    void profile() throws Exception {
        Path jfr = jfrDir(work);
        Set<String> phases = phases("BENCH_JOURNAL_PHASES", "sha,write,ship,rebuild");
        if (phases.contains("sha")) {
            shaSpeed();
        }
        storage = new FileTiming.TimedStorage(this::kind);
        prepare();
        rebase();
        if (phases.contains("write") || phases.contains("ship")) {
            for (String kind : List.of("seq", "rand")) {
                for (boolean isOn : new boolean[] {false, true}) {
                    BlockDevice d = (isOn ? on : off).device("v");
                    settle();
                    FileTiming.clear();
                    Recording rec = startJfr();
                    long t0 = System.nanoTime();
                    long bytes = kind.equals("seq") ? seqWrite(d, ++sampleNo) : randWrite(d, 77);
                    double s = secs(t0);
                    mark("write-" + kind + "-" + (isOn ? "on" : "off"), t0);
                    stopJfr(rec, jfr.resolve("write-" + kind + "-" + (isOn ? "on" : "off") + ".jfr"));
                    FileTiming.print(kind + " write, journal " + (isOn ? "ON" : "OFF") + ", warm", s, bytes);
                }
                profileShip(kind, false, jfr);
            }
            // a sequential journal-on sample again, its ship cold
            seqWrite(on.device("v"), ++sampleNo);
            profileShip("seq", true, jfr);
        }
        if (phases.contains("rebuild")) {
            rebase();
            for (boolean cold : new boolean[] {false, true}) {
                String name = "rebuild-" + (cold ? "cold" : "warm");
                List<Long> offsets = new ArrayList<>();
                randWrite(on.device("v"), 300 + (cold ? 1 : 0), rebuildBytes, offsets);
                String base = on.journals().status("v").base();
                on.close();
                try (Pool p = Pool.open(dirOn, storage)) {
                    p.admin().failDrive("d1");
                }
                Files.delete(dirOn.resolve("drives").resolve("d2.img"));
                on = Pool.open(dirOn, storage);
                settle();
                if (cold) {
                    dropCaches();
                } else {
                    warmChain(base);
                }
                FileTiming.clear();
                Recording rec = startJfr();
                long t0 = System.nanoTime();
                await(on.journals().rebuildFromBackup("v", List.of(), 0));
                double s = secs(t0);
                mark(name, t0);
                stopJfr(rec, jfr.resolve(name + ".jfr"));
                FileTiming.print("rebuild of " + size / MIB + " MiB from backup + " + rebuildBytes / MIB + " MiB of journal entries, "
                        + (cold ? "cold" : "warm"), s, size);
                removeReplaced();
                await(on.journals().ship("v"));
            }
        }
        System.out.println("\nJFR recordings: " + jfr + " (bench/journal/run.sh --profile summarizes them)");
    }

    void profileShip(String kind, boolean cold, Path jfr) throws Exception {
        JournalAdmin.Status st = on.journals().status("v");
        long eb = entryBytes();
        settle();
        if (cold) {
            dropCaches();
        } else {
            warmChain(st.base());
        }
        FileTiming.clear();
        Recording rec = startJfr();
        long t0 = System.nanoTime();
        await(on.journals().ship("v"));
        double s = secs(t0);
        mark("ship-" + kind + "-" + (cold ? "cold" : "warm"), t0);
        stopJfr(rec, jfr.resolve("ship-" + kind + "-" + (cold ? "cold" : "warm") + ".jfr"));
        ImageInfo img = image(on.journals().status("v").base());
        FileTiming.print(String.format("ship of %d %s entries (%.0f MiB; image %d tracks, %.0f MiB), %s", st.entries(), kind,
                eb / (double) MIB, img.tracks(), img.dataBytes() / (double) MIB, cold ? "cold" : "warm"), s, eb);
    }

    /** SHA-256 (MessageDigest, as IndexRecord uses it) and CRC32C (as RingLog uses it) of 1 GiB in 64 KiB / 1 MiB pieces, one thread. */
    static void shaSpeed() throws Exception {
        byte[] buf = new byte[MIB];
        new Random(1).nextBytes(buf);
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 1024 * 16; i++) {
                java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
                md.update(buf, (i % 16) * TRACK, TRACK);
                md.digest();
            }
            double s = secs(t0);
            t0 = System.nanoTime();
            for (int i = 0; i < 1024; i++) {
                java.util.zip.CRC32C c = new java.util.zip.CRC32C();
                c.update(buf, 0, MIB);
                c.getValue();
            }
            double c = secs(t0);
            System.out.printf("one thread, 1 GiB, round %d: SHA-256 in 64 KiB pieces %.3f s (%.0f MiB/s); CRC32C in 1 MiB pieces"
                    + " %.3f s (%.0f MiB/s)%n", round, s, 1024 / s, c, 1024 / c);
        }
    }

    // ---- the profile's names for files (bench/instant/FileTiming.java times them) -------------------

    String kind(Path p) {
        String n = p.getFileName().toString();
        String parent = p.getParent() == null ? "" : p.getParent().getFileName().toString();
        if (n.endsWith(".img")) {
            String drive = n.substring(0, n.length() - 4);
            return legs.contains(drive) ? "journal leg" : "member";
        }
        if (n.endsWith(".wib")) {
            return "write-intent";
        }
        if (n.startsWith("pool.json")) {
            return "pool.json";
        }
        if (n.equals("data") || n.equals("index")) {
            return "image " + n;
        }
        if (parent.equals("meta")) {
            return "meta " + n.replaceAll("^[^.]*\\.", "*.");
        }
        return "other " + n;
    }

    // ---- helpers ------------------------------------------------------------------------------------

    void closePools() {
        for (Pool p : new Pool[] {on, off}) {
            try {
                if (p != null) {
                    p.close();
                }
            } catch (IOException e) {
                System.err.println("closing a pool: " + e.getMessage());
            }
        }
        on = null;
        off = null;
    }

    void cleanup() throws IOException {
        for (Path d : List.of(dirOn, dirOff, store)) {
            deleteTree(d);
        }
        Files.deleteIfExists(plain);
        Files.deleteIfExists(copy);
    }
}
