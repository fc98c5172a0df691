package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.log.RingLog;

/**
 * A stripe update whose journal entry could not be made durable (the journal's force failed) fails
 * before any member is written; its entry must not stay live waiting for member writes that never
 * come: the ring's retire stopped at it, and once the ring came round to it every degraded write
 * waited for room for ever, holding its stripe's rows.
 */
class StripeJournalForceFailureTest {

    @TempDir
    Path dir;

    @Test
    void anEntryWhoseForceFailedDoesNotHoldTheRingForEver() throws Exception {
        Path f = dir.resolve("v.sj");
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        StripeJournal j = new StripeJournal(inj.create(f), RingLog.DATA + 64 * 1024);
        j.setCheckpointer(() -> j.retire(j.completedPrefix())); // the members "forced": what is complete retires
        j.begin();
        List<StripeJournal.Segment> update = List.of(new StripeJournal.Segment(0, 0, new byte[4096]),
                new StripeJournal.Segment(2, 0, new byte[4096]));
        inj.failForces(p -> p.equals(f), 1);
        assertThatThrownBy(() -> j.append(update)).isInstanceOf(IOException.class);
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 100; i++) { // about 12 entries fill the ring: it comes round eight times
                j.complete(j.append(update));
            }
        }, "degraded writes waited for room behind the entry whose force failed");
        j.close();
    }

    /**
     * A degraded write whose journal force failed, then one that succeeded and went on to its
     * member writes: after a power cut the replay must find the second entry (it stopped at the
     * first, whose bytes the failed fsync took, and the torn member writes of the second stayed
     * torn).
     */
    @Test
    void anEntryForcedAfterAFailedForceIsReplayed() throws Exception {
        Path f = dir.resolve("v.sj");
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost();
        StripeJournal j = new StripeJournal(inj.create(f), RingLog.DATA + 256 * 1024);
        inj.syncDirectory(dir);
        j.begin();
        byte[] second = new byte[4096];
        java.util.Arrays.fill(second, (byte) 0x5A);
        inj.failForces(p -> p.equals(f), 1);
        assertThatThrownBy(() -> j.append(List.of(new StripeJournal.Segment(0, 0, new byte[4096]))))
                .isInstanceOf(IOException.class);
        j.append(List.of(new StripeJournal.Segment(1, 8192, second))); // durable: its member writes may begin
        inj.cutNow();
        inj.crash();
        try (StripeJournal again = new StripeJournal(StorageFactory.real().open(f), RingLog.DATA + 256 * 1024)) {
            List<List<StripeJournal.Segment>> replay = again.readEntries();
            org.assertj.core.api.Assertions.assertThat(replay).as("entries replayed after the power cut").hasSize(1);
            StripeJournal.Segment s = replay.get(0).get(0);
            org.assertj.core.api.Assertions.assertThat(s.member()).isEqualTo(1);
            org.assertj.core.api.Assertions.assertThat(s.row()).isEqualTo(8192);
        }
    }
}
