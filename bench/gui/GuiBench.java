import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * GUI benchmark, part one (no toolkit): builds the pool the window is measured on — six drives,
 * "prod" RAID5 on d1..d3 of {@code size} bytes filled with data, "prod-bcv" RAID5 on d4..d6,
 * "prod-pair" established and split — then starts {@link GuiBenchApp}, which opens it in the real
 * main window and measures. Usage: GuiBench WORKDIR [SIZE_MIB].
 */
public final class GuiBench {

    static Path pool;
    static long size;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        size = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
        pool = work.resolve("gui-pool");
        long t0 = System.nanoTime();
        build(pool, size);
        System.err.printf("gui-bench: pool of %d MiB built in %.1f s%n", size >> 20, (System.nanoTime() - t0) / 1e9);
        Application.launch(GuiBenchApp.class, args);
    }

    static void build(Path dir, long volumeSize) throws Exception {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        long drive = volumeSize / 2; // raid5 over 3 drives holds two drives' worth
        Pool.create(dir, 6, drive, 64 << 10, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("prod", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            p.admin().createVolume("prod-bcv", Layout.RAID5, List.of("d4", "d5", "d6"), 0);
            fill(p, "prod");
            p.pairs().create("prod-pair", "prod", "prod-bcv");
            Job j = p.pairs().establish("prod-pair", false);
            if (!j.await(600_000)) {
                throw new IOException("establish did not finish");
            }
            p.pairs().split(List.of("prod-pair"));
        }
    }

    private static void fill(Pool p, String volume) throws Exception {
        var dev = p.device(volume);
        ByteBuffer b = ByteBuffer.allocateDirect(4 << 20);
        for (long at = 0; at < dev.size(); at += b.capacity()) {
            b.clear();
            while (b.hasRemaining()) {
                b.putLong(at + b.position());
            }
            b.flip();
            dev.write(at, b);
        }
        dev.flush();
    }
}
