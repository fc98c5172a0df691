import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * Pair benchmark (issue 3): full establish and full restore of a 1 GiB RAID 1 pair against
 * qemu-img convert -W -m 8 of the same bytes; an incremental restore with 1% of tracks changed as
 * a fraction of the full restore; split time on 1 GiB and 64 GiB sparse volumes; read latency
 * of unrestored vs restored tracks during a restore. Caches are dropped before each copy.
 * Prints "key value" lines that pairs/run.sh turns into a table.
 */
public final class PairBench {

    static final long GIB = 1L << 30;
    static Path work;

    public static void main(String[] args) throws Exception {
        work = Path.of(args[0]);
        int reps = Integer.parseInt(args[1]);
        Path pool = work.resolve("pair-pool");
        del(pool);
        Pool.create(pool, 4, GIB, 65536, StorageFactory.real());
        try (Pool p = Pool.open(pool)) {
            p.admin().createVolume("std", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("bcv", Layout.RAID1, List.of("d3", "d4"), 0);
            p.pairs().create("p", "std", "bcv");
            fill(p.device("std"));
            List<Double> est = new ArrayList<>();
            List<Double> rest = new ArrayList<>();
            List<Double> incr = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                if (p.pairs().get("p").state().mirrors()) {
                    p.pairs().split(List.of("p"));
                }
                dropCaches();
                est.add(time(() -> await(p.pairs().establish("p", true))));
                System.out.println("establish_full_rep_s " + est.get(est.size() - 1));
                p.pairs().split(List.of("p"));
                dropCaches();
                rest.add(time(() -> await(p.pairs().restore("p", true, false))));
                System.out.println("restore_full_rep_s " + rest.get(rest.size() - 1));
                p.pairs().split(List.of("p"));
                // 1% of the tracks changed at random, then an incremental restore
                Random rnd = new Random(r);
                Pair pair = p.pairs().get("p");
                long tracks = pair.totalTracks();
                BlockDevice std = p.device("std");
                ByteBuffer one = ByteBuffer.allocateDirect(4096);
                for (int i = 0; i < tracks / 100; i++) {
                    long t = (long) (rnd.nextDouble() * tracks);
                    one.clear();
                    std.write(t * 65536 + rnd.nextInt(60000), one);
                }
                std.flush();
                System.out.println("incremental_tracks " + pair.stdInvalidTracks());
                dropCaches();
                incr.add(time(() -> await(p.pairs().restore("p", false, false))));
            }
            System.out.println("establish_full_s " + median(est));
            System.out.println("restore_full_s " + median(rest));
            System.out.println("restore_incremental_1pct_s " + median(incr));
            latency(p, true);
            latency(p, false);
        }
        // the peer: qemu-img convert of one member image (1 GiB of the same bytes)
        List<Double> peer = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            Path out = work.resolve("qemu-copy.img");
            Files.deleteIfExists(out);
            dropCaches();
            peer.add(time(() -> run("qemu-img", "convert", "-W", "-m", "8", "-f", "raw", "-O", "raw",
                    pool.resolve("drives/d1.img").toString(), out.toString())
                    .andThen("sync", out.toString())));
            Files.deleteIfExists(out);
        }
        System.out.println("qemu_img_convert_s " + median(peer));
        // the same peer writing the bytes a RAID 1 BCV writes: two converts of the image at once, one
        // per destination (the source read once from the disk, written twice), for the row's reading
        List<Double> twice = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            Path a = work.resolve("qemu-copy.img");
            Path b = work.resolve("qemu-copy-2.img");
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
            dropCaches();
            String src = pool.resolve("drives/d1.img").toString();
            twice.add(time(() -> {
                runAtOnce(List.of("qemu-img", "convert", "-W", "-m", "8", "-f", "raw", "-O", "raw", src, a.toString()),
                        List.of("qemu-img", "convert", "-W", "-m", "8", "-f", "raw", "-O", "raw", src, b.toString()));
                run("sync", a.toString(), b.toString());
            }));
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
        }
        System.out.println("qemu_img_convert_twice_s " + median(twice));
        del(pool);
        split(reps);
    }

    /** Split time for 1 GiB and 64 GiB (sparse) pairs: synchronized, a little written, then split. */
    static void split(int reps) throws Exception {
        for (long size : new long[] {GIB, 64 * GIB}) {
            Path pool = work.resolve("split-pool");
            del(pool);
            Pool.create(pool, 4, size, 65536, StorageFactory.real());
            try (Pool p = Pool.open(pool)) {
                p.admin().createVolume("std", Layout.RAID1, List.of("d1", "d2"), 0);
                p.admin().createVolume("bcv", Layout.RAID1, List.of("d3", "d4"), 0);
                p.pairs().create("p", "std", "bcv");
                // two blank volumes are identical: skip copying 2 x 64 GiB of zeros for this measurement
                p.pairs().get("p").stdInvalid().clearAll();
                await(p.pairs().establish("p", false));
                List<Double> t = new ArrayList<>();
                Random rnd = new Random(1);
                for (int r = 0; r < Math.max(5, reps * 3); r++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                    for (int i = 0; i < 8; i++) {
                        b.clear();
                        p.device("std").write((long) (rnd.nextDouble() * (size - b.capacity())) & ~4095L, b);
                    }
                    p.device("std").flush(); // the split itself is timed, not writing back these 8 MiB
                    t.add(time(() -> p.pairs().split(List.of("p"))));
                    await(p.pairs().establish("p", false));
                }
                System.out.println("split_" + (size / GIB) + "g_ms " + median(t) * 1000);
            }
            del(pool);
        }
    }

    /**
     * Random 4 KiB reads while a throttled restore runs: latency by whether the track was restored.
     * {@code warm}: both volumes are read once first, so both kinds of read come from the page cache
     * and the comparison is of the engine's paths; cold: caches dropped, so unrestored reads go to
     * the BCV's disk while restored ones mostly hit what the copier just wrote.
     */
    static void latency(Pool p, boolean warm) throws Exception {
        String k = warm ? "warm_" : "cold_";
        if (p.pairs().get("p").state().mirrors()) {
            p.pairs().split(List.of("p"));
        }
        if (warm) {
            ByteBuffer all = ByteBuffer.allocateDirect(1 << 20);
            for (String v : List.of("std", "bcv")) {
                for (long at = 0; at < p.volume(v).size(); at += all.capacity()) {
                    all.clear();
                    p.volume(v).read(at, all);
                }
            }
        } else {
            dropCaches();
        }
        Job job = p.pairs().restore("p", true, true, 100_000_000L);
        Pair pair = p.pairs().get("p");
        BlockDevice std = p.device("std");
        List<Long> restored = new ArrayList<>();
        List<Long> unrestored = new ArrayList<>();
        Random rnd = new Random(7);
        ByteBuffer b = ByteBuffer.allocateDirect(4096);
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end && pair.state().toString().equals("RestInProg")) {
            long off = ((long) (rnd.nextDouble() * (std.size() - 4096))) & ~4095L;
            boolean wasRestored = pair.isRestored(off / 65536);
            b.clear();
            long t0 = System.nanoTime();
            std.read(off, b);
            long dt = System.nanoTime() - t0;
            (wasRestored ? restored : unrestored).add(dt);
        }
        job.setThrottle(0);
        await(job);
        System.out.println(k + "latency_restored_samples " + restored.size());
        System.out.println(k + "latency_unrestored_samples " + unrestored.size());
        System.out.println(k + "latency_restored_p50_us " + pct(restored, 50) / 1000.0);
        System.out.println(k + "latency_restored_p99_us " + pct(restored, 99) / 1000.0);
        System.out.println(k + "latency_unrestored_p50_us " + pct(unrestored, 50) / 1000.0);
        System.out.println(k + "latency_unrestored_p99_us " + pct(unrestored, 99) / 1000.0);
        System.out.println(k + "latency_first_read_us " + (unrestored.isEmpty() ? -1 : unrestored.get(0) / 1000.0));
    }

    static long pct(List<Long> xs, int p) {
        if (xs.isEmpty()) {
            return -1;
        }
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    interface Action {
        void run() throws Exception;
    }

    static double time(Action a) throws Exception {
        long t0 = System.nanoTime();
        a.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    static void await(Job j) throws Exception {
        j.await(Long.MAX_VALUE / 2);
        if (!j.state().toString().equals("DONE")) {
            throw new IOException(j.kind() + " ended " + j.state() + ": " + j.progress().message());
        }
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }

    static void fill(BlockDevice d) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        Random rnd = new Random(42);
        byte[] chunk = new byte[1 << 20];
        for (long at = 0; at < d.size(); at += chunk.length) {
            rnd.nextBytes(chunk);
            b.clear();
            b.put(chunk).flip();
            d.write(at, b);
        }
        d.flush();
    }

    static void dropCaches() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n");
        } catch (Exception notPermitted) {
            // hot cache on both sides then; run.sh says which
        }
    }

    record Cmd(List<String> argv) {
        Cmd andThen(String... more) throws Exception {
            run(more);
            return this;
        }
    }

    /** Runs the commands at once and waits for all of them; fails when one fails. */
    @SafeVarargs
    static void runAtOnce(List<String>... argvs) throws Exception {
        List<Process> started = new ArrayList<>();
        for (List<String> argv : argvs) {
            started.add(new ProcessBuilder(argv).inheritIO().start());
        }
        for (int i = 0; i < started.size(); i++) {
            if (started.get(i).waitFor() != 0) {
                throw new IOException(String.join(" ", argvs[i]) + " failed");
            }
        }
    }

    static Cmd run(String... argv) throws Exception {
        Process pr = new ProcessBuilder(argv).inheritIO().start();
        if (pr.waitFor() != 0) {
            throw new IOException(String.join(" ", argv) + " failed");
        }
        return new Cmd(List.of(argv));
    }

    static void del(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
