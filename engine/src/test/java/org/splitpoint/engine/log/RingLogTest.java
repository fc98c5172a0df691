package org.splitpoint.engine.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.meta.CorruptMetadataException;

/** The ring under both journals: wraps, retires, reads back exactly the live entries of the last opening. */
class RingLogTest {

    private static final long CAPACITY = RingLog.DATA + 80 * 1024;

    @TempDir
    Path dir;

    private RingLog open(Path f) throws Exception {
        StorageFile file = java.nio.file.Files.exists(f) ? StorageFactory.real().open(f) : StorageFactory.real().create(f);
        return new RingLog(file, CAPACITY, 0x11111111, 0x22222222);
    }

    private static byte[] payload(long n) {
        byte[] b = new byte[3000 + (int) (n % 7) * 100];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void entriesWrapRoundTheRingAndReadBackAcrossAReopen() throws Exception {
        Path f = dir.resolve("log");
        RingLog log = open(f);
        long retiredBelow = 0;
        for (long n = 0; n < 200; n++) {
            long seq;
            while ((seq = log.append(payload(n))) < 0) {
                retiredBelow += 5;
                log.retire(retiredBelow); // the owner frees room: the oldest entries are done with
            }
            assertThat(seq).isEqualTo(n);
        }
        log.force();
        log.close();
        RingLog again = open(f);
        List<RingLog.Entry> live = again.readLive();
        assertThat(live).isNotEmpty();
        assertThat(live.get(0).seq()).isEqualTo(retiredBelow);
        assertThat(live.get(live.size() - 1).seq()).isEqualTo(199);
        for (RingLog.Entry e : live) {
            assertThat(e.payload()).isEqualTo(payload(e.seq()));
        }
    }

    /**
     * A retire computed before a new epoch began (a flush takes the tail to retire before forcing
     * the members; a writer's first append of the opening begins the epoch meanwhile) drops none of
     * the new epoch's entries: numbers go on from the last ones, they never start at 0 again.
     * Before, the new entries were numbered from 0 and the flush's retire dropped them all, and a
     * crash left the stripes they journaled torn with nothing to replay.
     */
    @Test
    void aRetireTakenBeforeANewEpochDropsNoneOfItsEntries() throws Exception {
        Path f = dir.resolve("log");
        RingLog log = open(f);
        for (long n = 0; n < 5; n++) {
            assertThat(log.append(payload(n))).isEqualTo(n);
        }
        log.retire(5); // all done with: the header says the tail is at 5
        log.close();
        RingLog again = open(f);
        assertThat(again.readLive()).isEmpty();
        long tailTakenByAFlush = again.nextSeq();
        long seq = again.append(payload(7)); // the opening's first append begins a new epoch
        assertThat(seq).isGreaterThanOrEqualTo(tailTakenByAFlush);
        again.force();
        again.retire(tailTakenByAFlush); // the flush that began before the append ends
        again.close();
        List<RingLog.Entry> live = open(f).readLive();
        assertThat(live).extracting(RingLog.Entry::seq).containsExactly(seq);
        assertThat(live.get(0).payload()).isEqualTo(payload(7));
    }

    /** The write journal keeps its entries across openings: it goes on where the last opening ended, wrapped or not. */
    @Test
    void anAdoptedLogGoesOnAfterItsLiveEntriesAcrossManyOpenings() throws Exception {
        Path f = dir.resolve("log");
        long retiredBelow = 0;
        long n = 0;
        for (int opening = 0; opening < 12; opening++) {
            RingLog log = open(f);
            List<RingLog.Entry> live = log.readLive();
            if (opening > 0) {
                assertThat(live).as("opening %d", opening).isNotEmpty();
                assertThat(live.get(0).seq()).isEqualTo(retiredBelow);
                assertThat(live.get(live.size() - 1).seq()).isEqualTo(n - 1);
                for (RingLog.Entry e : live) {
                    assertThat(e.payload()).isEqualTo(payload(e.seq()));
                    byte[] part = new byte[100];
                    assertThat(log.readPayload(e.seq(), 50, ByteBuffer.wrap(part))).isTrue();
                    assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(payload(e.seq()), 50, 150));
                }
            }
            log.adopt();
            for (int k = 0; k < 7; k++, n++) { // a few appends an opening: the ring wraps every couple of openings
                long seq;
                while ((seq = log.append(payload(n))) < 0) {
                    retiredBelow += 3;
                    log.retire(retiredBelow);
                }
                assertThat(seq).isEqualTo(n);
            }
            log.force();
            log.close();
        }
    }

    @Test
    void anEarlierOpeningsEntriesNeverPassForLiveOnes() throws Exception {
        Path f = dir.resolve("log");
        RingLog first = open(f);
        for (long n = 0; n < 10; n++) {
            first.append(payload(n));
        }
        first.force();
        first.retire(10); // all done with
        first.close();
        RingLog second = open(f);
        assertThat(second.readLive()).isEmpty();
        second.append(payload(100)); // a new epoch, at the start of the ring again
        second.force();
        second.close();
        List<RingLog.Entry> live = open(f).readLive();
        assertThat(live).hasSize(1);
        assertThat(live.get(0).payload()).isEqualTo(payload(100));
    }

    @Test
    void aTornHeaderSlotFallsBackToTheOtherAndAGarbledOneIsDamage() throws Exception {
        Path f = dir.resolve("log");
        RingLog log = open(f);
        log.append(payload(1));
        log.append(payload(2));
        log.force();
        log.retire(1); // a second header, in the other slot
        log.close();
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 8); // tear the newest slot (generation 2 went to slot 0)
        }
        List<RingLog.Entry> live = open(f).readLive();
        assertThat(live).extracting(RingLog.Entry::seq).containsExactly(0L, 1L); // the older header's tail
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), 8);
            ch.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), 4096 + 8);
        }
        assertThatThrownBy(() -> open(f).readLive()).isInstanceOf(CorruptMetadataException.class);
    }

    /**
     * An append whose write failed (the file system full: a stripe journal gives its ring's space
     * back when the volume is whole, and takes it again when degraded) uses no sequence number: the
     * next entry takes the failed one's place and number, and is read back after a reopen. Numbered
     * past it, every later entry was lost at the replay, which reads consecutive numbers from the
     * tail and stopped at the gap (acknowledged degraded writes not redone after a crash).
     */
    @Test
    void anAppendWhoseWriteFailedLeavesNoGapBeforeTheNextEntry() throws Exception {
        Path f = dir.resolve("full");
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(StorageFactory.real());
        RingLog log = new RingLog(inj.create(f), CAPACITY, 0x11111111, 0x22222222);
        assertThat(log.append(payload(0))).isEqualTo(0);
        inj.diskFullAfter(p -> p.equals(f), 0);
        assertThatThrownBy(() -> log.append(payload(1))).isInstanceOf(org.splitpoint.engine.io.NoSpaceException.class);
        inj.diskFreed();
        long next = log.append(payload(2));
        log.force();
        log.close();
        List<RingLog.Entry> live = open(f).readLive();
        assertThat(live).extracting(RingLog.Entry::seq).containsExactly(0L, next);
        assertThat(live.get(1).payload()).isEqualTo(payload(2));
    }
}
