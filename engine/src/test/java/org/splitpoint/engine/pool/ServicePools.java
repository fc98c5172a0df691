package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/** Pools and small steps of the service-window tests: one volume "v" over d1..dN, one SPARE more, 64 KiB tracks. */
final class ServicePools {

    static final int TRACK = 64 * 1024;

    private ServicePools() {
    }

    /** A pool at {@code tmp/name}: volume "v" of {@code layout} over {@code drives} drives of 4 MiB, and one SPARE. */
    static Path pool(Path tmp, String name, Layout layout, int drives) throws Exception {
        return pool(tmp, name, layout, drives, 4L << 20);
    }

    static Path pool(Path tmp, String name, Layout layout, int drives, long driveSize) throws Exception {
        Path dir = tmp.resolve(name);
        Pool.create(dir, drives + 1, driveSize, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= drives; i++) {
                names.add("d" + i);
            }
            p.admin().createVolume("v", layout, names, 0);
        }
        return dir;
    }

    /** {@link #pool}, with tracks 0..31 of "v" written 0x11 and closed (flushed). */
    static Path writtenPool(Path tmp, Layout layout, int drives) throws Exception {
        Path dir = pool(tmp, "p", layout, drives);
        try (Pool p = Pool.open(dir)) {
            p.volume("v").write(0, ByteBuffer.wrap(org.splitpoint.engine.TestPools.filled(32 * TRACK, 0x11)));
        }
        return dir;
    }

    static byte[] read(RaidVolume v, long off, int len) throws Exception {
        byte[] b = new byte[len];
        v.read(off, ByteBuffer.wrap(b));
        return b;
    }

    /** Writes tracks 0..7 of "v" with 0x11, flushed, and takes d2 OFFLINE for {@code reason} logging by {@code mode}. */
    static RaidVolume writtenThenOffline(Pool p, OfflineReason reason, LogMode mode) throws Exception {
        RaidVolume v = p.volume("v");
        v.write(0, ByteBuffer.wrap(org.splitpoint.engine.TestPools.filled(8 * TRACK, 0x11)));
        v.flush();
        p.service().offline("d2", reason, mode);
        awaitJobs(p);
        return v;
    }

    /**
     * A pool at {@code tmp/name}: RAID 5 "v" over d1..d3 written 0x11 (two 16 KiB blocks), d2 OFFLINE
     * in a repository window on SPARE d4, block 0 written 0x22 in it (on d4 alone), flushed.
     */
    static Path repositoryOnD4(Path tmp, String name) throws Exception {
        Path a = pool(tmp, name, Layout.RAID5, 3);
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(org.splitpoint.engine.TestPools.filled(32 * 1024, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            awaitJobs(p);
            if (!"d4".equals(p.snapshot().drive("d2").service().repository())) {
                throw new AssertionError("the repository is not on d4: " + p.snapshot().drive("d2").service());
            }
            v.write(0, ByteBuffer.wrap(org.splitpoint.engine.TestPools.filled(16 * 1024, 0x22)));
            v.flush();
        }
        return a;
    }

    /** Waits for the pool's jobs (the reason's steps, a return) to end. */
    static void awaitJobs(Pool p) throws Exception {
        for (Job j : p.jobs()) {
            j.await(30_000);
        }
    }

    /**
     * Steps {@code job} (a copy to a drive: a rebuild, a return) to its end, with drive {@code lossy}
     * having lost writes at a failed flush: a flush that succeeds then must find {@code value} at
     * volume bytes [at, at + len), a write made before the loss (no flush may acknowledge a write no
     * drive holds), and the job FAILED saying {@code lossy} lost writes: it copies nothing from it.
     */
    static void stepsToARefusalToCopyFrom(String lossy, Job job, RaidVolume v, long at, int len, int value)
            throws Exception {
        while (job.stepOnce()) {
            // to its end
        }
        if (flushes(v)) {
            assertThat(read(v, at, len)).as("the write a flush acknowledged (" + job.state() + ")")
                    .containsOnly((byte) value);
        }
        assertThat(job.state()).as("the job: " + job.progress().message()).isEqualTo(JobState.FAILED);
        assertThat(job.progress().message()).contains(lossy).contains("lost writes");
    }

    /** Matches the image of {@code drive} in {@code p} (for the injector's faults and holds). */
    static java.util.function.Predicate<Path> image(Pool p, String drive) {
        Path img = p.paths.image(drive).toAbsolutePath();
        return f -> f.toAbsolutePath().equals(img);
    }

    /**
     * Asserts that volume bytes [at, at+len) hold {@code value}, a write made before a drive lost
     * writes at a failed flush, after a flush that {@code flushed}: once one succeeded, only the write;
     * else the write or a read refused over lost writes (no drive is known to hold it until the reopen).
     * {@code what} names the bytes and says what the scene did.
     */
    static void assertKeptAfterFlush(RaidVolume v, boolean flushed, long at, int len, int value, String what)
            throws Exception {
        int held;
        try {
            held = org.splitpoint.engine.TestPools.only(read(v, at, len));
        } catch (org.splitpoint.engine.io.WritesLostException refused) {
            held = -2;
        }
        assertThat(held).as("%s after a flush that %s", what, flushed ? "succeeded" : "failed")
                .isIn(flushed ? new Integer[] {value} : new Integer[] {value, -2});
    }

    /** Flushes {@code v}: true when the flush succeeded, false when it failed (nothing says the writes before it are on disk). */
    static boolean flushes(RaidVolume v) {
        try {
            v.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
