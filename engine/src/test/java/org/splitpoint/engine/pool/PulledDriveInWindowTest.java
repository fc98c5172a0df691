package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.awaitJobs;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A drive pulled during its service window (reason 'replacement') whose image is away when the
 * pool is opened, then put back and brought online. Before, the open left it MISSING, and only an
 * OFFLINE drive's window took the volume's writes: the delta (pointers), the log (data) and the
 * repository (its redirect) missed every write of that opening, so a pointers return took the
 * drive as current on a track written meanwhile (its image kept 0x11 under a host's 0x33, job
 * DONE, the mirror's members disagreeing), and a repository window's volume read and was written
 * as if the window were over.
 */
@QuickServiceSteps
class PulledDriveInWindowTest {

    @TempDir
    Path tmp;

    private static int differs(byte[] got, int b) {
        return Arrays.mismatch(got, TestPools.filled(got.length, b));
    }

    /** Volume "v" of {@code layout} over d1..dN written 0x11, d2 OFFLINE in a {@code mode} window, track 2 written 0x22 in it. */
    private Path inWindow(Layout layout, int drives, LogMode mode) throws Exception {
        Path a = pool(tmp, "p", layout, drives);
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(8 * TRACK, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.REPLACEMENT, mode);
            awaitJobs(p);
            v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22)));
            v.flush();
        }
        return a;
    }

    @ParameterizedTest
    @EnumSource(LogMode.class)
    void aDriveWhoseImageWasAwayAtAnOpenComesBackWithEveryWriteOfThatOpening(LogMode mode) throws Exception {
        Path a = inWindow(Layout.RAID1, 2, mode); // d1, d2 and SPARE d3
        Path img = a.resolve("drives/d2.img");
        Path away = tmp.resolve("d2.away");
        Files.move(img, away); // pulled
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            assertThat(p.snapshot().drive("d2").state()).as("still in its window").isEqualTo(DriveState.OFFLINE);
            assertThat(differs(read(v, 2L * TRACK, TRACK), 0x22)).as("track 2, written in the window").isNegative();
            v.write(3L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
            v.flush();
            assertThatThrownBy(() -> p.service().online("d2")).hasMessageContaining("put the drive back first");
            Files.move(away, img); // put back
            Job job = p.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(p.admin().verify("v", false, null)).as("members that disagree").isZero();
        }
        byte[] d2 = Files.readAllBytes(img);
        assertThat(differs(Arrays.copyOfRange(d2, 2 * TRACK, 3 * TRACK), 0x22)).as("d2's track 2").isNegative();
        assertThat(differs(Arrays.copyOfRange(d2, 3 * TRACK, 4 * TRACK), 0x33)).as("d2's track 3, written while it was away")
                .isNegative();
        try (Pool p = Pool.open(a)) {
            assertThat(differs(read(p.volume("v"), 2L * TRACK, 2 * TRACK), 0x22)).isEqualTo(TRACK); // 0x22 then 0x33
            assertThat(differs(read(p.volume("v"), 3L * TRACK, TRACK), 0x33)).isNegative();
        }
    }

    /**
     * The same for an image of the wrong size at the open (a wrong drive put in): the open took
     * the drive FAILED, so a repository window's volume read 0x11 where 0x22 was written in the
     * window, and a data window's log missed that opening's writes (its return left the members
     * disagreeing on 128 sectors of parity).
     */
    @ParameterizedTest
    @EnumSource(LogMode.class)
    void aDriveWhoseImageWasTheWrongSizeAtAnOpenStaysInItsWindow(LogMode mode) throws Exception {
        Path a = inWindow(Layout.RAID5, 3, mode);
        Path img = a.resolve("drives/d2.img");
        byte[] original = Files.readAllBytes(img);
        Files.write(img, Arrays.copyOf(original, original.length - 4096)); // a drive of the wrong size put in
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            assertThat(p.snapshot().drive("d2").state()).as("still in its window").isEqualTo(DriveState.OFFLINE);
            assertThat(differs(read(v, 2L * TRACK, TRACK), 0x22)).as("track 2, written in the window").isNegative();
            v.write(3L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
            v.flush();
            assertThatThrownBy(() -> p.service().online("d2")).hasMessageContaining("put back a drive of the right size");
        }
        Files.write(img, original); // the right drive back
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            Job job = p.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
            assertThat(differs(read(v, 2L * TRACK, TRACK), 0x22)).isNegative();
            assertThat(differs(read(v, 3L * TRACK, TRACK), 0x33)).isNegative();
        }
    }
}
