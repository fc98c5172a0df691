package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A data window whose delta log lost a record (a failed fsync drops its unforced pages): the log
 * refuses every later force, since it cannot tell which records are gone. Before, every later
 * flush of the volume failed until the pool was reopened, and the drive's return failed at its
 * end, so the window could not end. The window falls back to pointers (its durable bitmap names
 * every track written in it, set before any member had the write): later flushes succeed and the
 * drive comes back by rebuilding those tracks from the others. A repository window, whose log is
 * the only copy of its writes, has no such fallback (the last case).
 */
@QuickServiceSteps
class LostLogRecordTest {

    @TempDir
    Path tmp;

    private static int differs(byte[] got, int b) {
        return Arrays.mismatch(got, TestPools.filled(got.length, b));
    }

    /**
     * d2 OFFLINE in a data window; track 2 written 0x22 and a flush whose force of the log fails
     * (that flush succeeds once the window is by pointers on record: the log is a side feature's),
     * then track 4 written 0x44 and flushed (acknowledged).
     */
    private static RaidVolume logLostARecord(Pool p, FaultInjector inj) throws Exception {
        RaidVolume v = ServicePools.writtenThenOffline(p, OfflineReason.FIRMWARE, LogMode.DATA);
        v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22)));
        inj.failForces(f -> f.getFileName().toString().equals("v.delta.log"), 1);
        v.flush(); // the flush whose log force failed
        v.write(4L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x44)));
        v.flush();
        return v;
    }

    @Test
    void aDataWindowWhoseLogLostARecordStillEnds() throws Exception {
        Path a = pool(tmp, "p", Layout.RAID5, 3);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(a, inj)) {
            RaidVolume v = logLostARecord(p, inj);
            assertThat(p.snapshot().drive("d2").service().logMode()).as("the window goes on by pointers")
                    .isEqualTo(LogMode.POINTERS);
            Job back = p.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).as(back.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(differs(read(v, 2L * TRACK, TRACK), 0x22)).isNegative();
            assertThat(differs(read(v, 4L * TRACK, TRACK), 0x44)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
        try (Pool p = Pool.open(a)) {
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(differs(read(p.volume("v"), 4L * TRACK, TRACK), 0x44)).isNegative();
            assertThat(p.admin().verify("v", false, null)).isZero();
        }
        assertThat(Files.exists(a.resolve("meta/v.delta.log"))).as("the window's files are gone").isFalse();
        assertThat(org.splitpoint.engine.event.EventBus.readLog(a.resolve("meta/events.jsonl"), 500))
                .anyMatch(e -> e.message().contains("lost a record") && e.message().contains("goes on by pointers"));
    }

    /** The same with a crash after the fallback: pool.json says pointers, and the return rebuilds every track written. */
    @Test
    void aDataWindowFallenBackToPointersComesBackByPointersAfterACrash() throws Exception {
        Path a = pool(tmp, "c", Layout.RAID1, 2);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(a, inj);
        try {
            logLostARecord(p, inj);
            inj.processCrash();
        } finally {
            p.abandon();
        }
        try (Pool q = Pool.open(a)) {
            assertThat(q.snapshot().drive("d2").service().logMode()).isEqualTo(LogMode.POINTERS);
            Job back = q.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).as(back.progress().message()).isEqualTo(JobState.DONE);
            assertThat(q.admin().verify("v", false, null)).as("mirrors that disagree").isZero();
            assertThat(differs(read(q.volume("v"), 4L * TRACK, TRACK), 0x44)).isNegative();
        }
        byte[] d2 = Files.readAllBytes(a.resolve("drives/d2.img"));
        assertThat(differs(Arrays.copyOfRange(d2, 4 * TRACK, 5 * TRACK), 0x44)).as("d2's copy").isNegative();
        assertThat(differs(Arrays.copyOfRange(d2, 2 * TRACK, 3 * TRACK), 0x22)).as("d2's copy").isNegative();
    }

    /**
     * A repository window whose repository (on SPARE d4) lost a record at a failed force (EIO: the
     * kernel drops the unforced pages). The repository is the only copy of the window's writes, so it
     * cannot fall back to pointers as a data window does: every later flush fails and the return
     * fails until the pool is opened again. No write acknowledged by a flush is lost, neither before
     * the reopen nor after a power cut, and the window ends after it.
     */
    @Test
    void aRepositoryThatLostARecordKeepsEveryAcknowledgedWriteThroughAPowerCut() throws Exception {
        Path a = pool(tmp, "r", Layout.RAID5, 3);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost();
        Pool p = Pool.open(a, inj);
        java.util.List<org.splitpoint.engine.event.Event> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        p.events().addListener(said::add); // (the event log is written through the injector's cache: lost at the cut)
        try {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(8 * TRACK, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            ServicePools.awaitJobs(p);
            assertThat(p.snapshot().drive("d2").service().repository()).isEqualTo("d4");
            v.write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22)));
            v.flush(); // acknowledged: in the repository alone
            v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
            inj.failForces(f -> f.getFileName().toString().equals("d4.img"), 1);
            assertThatThrownBy(v::flush).as("the flush whose repository force failed").isInstanceOf(IOException.class);
            v.write(4L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x44)));
            assertThatThrownBy(v::flush).as("a later flush: the repository cannot tell which records are gone")
                    .isInstanceOf(IOException.class);
            assertThat(differs(read(v, 0, TRACK), 0x22)).as("the acknowledged write, before the reopen").isNegative();
            p.events().drain();
            assertThat(said).as("said once, and what ends it").filteredOn(e -> e.message().contains("lost a record"))
                    .singleElement().matches(e -> e.message().contains("until the pool is opened again"), "says what ends it");
            assertThat(differs(read(v, 6L * TRACK, TRACK), 0x11)).isNegative();
            inj.crash();
        } finally {
            p.abandon();
        }
        try (Pool q = Pool.open(a)) {
            RaidVolume v = q.volume("v");
            assertThat(differs(read(v, 0, TRACK), 0x22)).as("the acknowledged write, after the power cut").isNegative();
            assertThat(differs(read(v, 6L * TRACK, TRACK), 0x11)).isNegative();
            Job back = q.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).as(back.progress().message()).isEqualTo(JobState.DONE);
            assertThat(q.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(differs(read(v, 0, TRACK), 0x22)).as("the acknowledged write, after the return").isNegative();
            assertThat(q.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }
}
