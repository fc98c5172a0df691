package org.splitpoint.engine.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.meta.CorruptMetadataException;

/** The save log: records replayed in order; a torn or stale tail is cut, never read. */
class SaveLogTest {

    @TempDir
    Path tmp;

    private static List<SaveRecord> records(int from, int n) {
        List<SaveRecord> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(new SaveRecord(i % 2 == 0 ? "prod" : "logs-é", i, 1000 + i, 1 + i % 3, 3 + i % 3));
        }
        return out;
    }

    /** A new log at {@code p} holding {@code records}, synced. */
    private static void written(StorageFactory fs, Path p, List<SaveRecord> records) throws Exception {
        try (SaveLog log = SaveLog.create(fs, p)) {
            log.append(records);
            log.sync();
        }
    }

    @Test
    void recordsComeBackInOrderAcrossOpenings() throws Exception {
        Path p = tmp.resolve("snapshots.log");
        StorageFactory fs = StorageFactory.real();
        written(fs, p, records(0, 5));
        SaveLog.Replay r = SaveLog.read(fs, p);
        assertThat(r.records()).isEqualTo(records(0, 5));
        try (SaveLog log = SaveLog.open(fs, p, r)) {
            log.append(records(5, 3));
            log.sync();
        }
        assertThat(SaveLog.read(fs, p).records()).isEqualTo(records(0, 8));
    }

    @Test
    void aTornTailIsCutAndWhatFollowsItIsNeverRead() throws Exception {
        Path p = tmp.resolve("snapshots.log");
        StorageFactory fs = StorageFactory.real();
        written(fs, p, records(0, 6));
        long size = Files.size(p);
        // tear the fourth record's payload: records 4 and 5 after it are intact but must not be read
        long fourth = 16;
        for (int i = 0; i < 3; i++) {
            ByteBuffer len = ByteBuffer.allocate(4);
            try (FileChannel ch = FileChannel.open(p)) {
                ch.read(len, fourth);
            }
            fourth += 8 + len.getInt(0);
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x55, 0x55}), fourth + 12);
        }
        SaveLog.Replay r = SaveLog.read(fs, p);
        assertThat(r.records()).isEqualTo(records(0, 3));
        assertThat(r.end()).isEqualTo(fourth);
        assertThat(r.fileSize()).isEqualTo(size);
        try (SaveLog log = SaveLog.open(fs, p, r)) {
            assertThat(Files.size(p)).as("the tail is cut at open").isEqualTo(fourth);
            log.append(records(10, 1)); // shorter than what was there: nothing stale may follow it
            log.sync();
        }
        assertThat(SaveLog.read(fs, p).records()).isEqualTo(List.of(records(0, 3).get(0), records(0, 3).get(1),
                records(0, 3).get(2), records(10, 1).get(0)));
    }

    @Test
    void aRecordOutOfSequenceEndsTheReplay() throws Exception {
        Path a = tmp.resolve("a.log");
        Path b = tmp.resolve("b.log");
        StorageFactory fs = StorageFactory.real();
        written(fs, a, records(0, 2));
        written(fs, b, records(0, 3));
        // a's file followed by b's third record (sequence 2 where 2 is due: valid) then b's again (stale: 2 twice)
        byte[] ab = Files.readAllBytes(a);
        byte[] bb = Files.readAllBytes(b);
        int third = ab.length; // the first two records are the same bytes in both files
        byte[] rec3 = java.util.Arrays.copyOfRange(bb, third, bb.length);
        Path c = tmp.resolve("c.log");
        try (var out = Files.newOutputStream(c)) {
            out.write(ab);
            out.write(rec3);
            out.write(rec3);
        }
        assertThat(SaveLog.read(fs, c).records()).isEqualTo(records(0, 3));
    }

    @Test
    void aFileThatIsNoSaveLogIsRefused() throws Exception {
        Path p = Files.write(tmp.resolve("x.log"), new byte[64]);
        assertThatThrownBy(() -> SaveLog.read(StorageFactory.real(), p)).isInstanceOf(CorruptMetadataException.class)
                .hasMessageContaining("is not a snapshot save log");
    }

    @Test
    void aLogCutShortOfWhatItMadeDurableSaysSo() throws Exception {
        Path p = tmp.resolve("snapshots.log");
        StorageFactory fs = StorageFactory.real();
        written(fs, p, records(0, 17));
        assertThat(SaveLog.read(fs, p).cutShort()).isNull();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(100); // by hand: the header and one record
        }
        SaveLog.Replay r = SaveLog.read(fs, p);
        assertThat(r.records()).isEqualTo(records(0, 1));
        assertThat(r.cutShort()).isEqualTo("it ends after 1 of the 17 records it had made durable");
        try (SaveLog log = SaveLog.open(fs, p, r)) {
            assertThat(SaveLog.read(fs, p).cutShort()).as("the open takes the count down to what is there").isNull();
            log.append(records(20, 2));
            log.sync();
        }
        SaveLog.Replay after = SaveLog.read(fs, p);
        assertThat(after.durableCount()).isEqualTo(3);
        assertThat(after.cutShort()).isNull();
    }

    @Test
    void anOlderLogWithoutACountIsReadAsBefore() throws Exception {
        Path p = tmp.resolve("snapshots.log");
        StorageFactory fs = StorageFactory.real();
        written(fs, p, records(0, 4));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8), 8); // the header as older versions wrote it: magic, then zeros
            ch.truncate(Files.size(p) - 3); // and a torn tail, which it cannot tell from a cut
        }
        SaveLog.Replay r = SaveLog.read(fs, p);
        assertThat(r.records()).isEqualTo(records(0, 3));
        assertThat(r.durableCount()).isEqualTo(-1);
        assertThat(r.cutShort()).isNull();
    }

    /**
     * A power cut after the records' force but before (or while) their count is written leaves an
     * older count, or a torn one read as unknown: never a log taken for cut short.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 3, 7})
    void aPowerCutBetweenTheForceAndTheCountLosesNothing(int tearBytes) throws Exception {
        Path p = tmp.resolve("snapshots.log");
        written(StorageFactory.real(), p, records(0, 5));
        // writes from here: the append (1), the count after the sync's force (2, torn)
        org.splitpoint.engine.io.FaultInjector cut = new org.splitpoint.engine.io.FaultInjector(StorageFactory.real())
                .unforcedWritesLost().powerCutAfterWrite(2, tearBytes, 1);
        SaveLog log = SaveLog.open(cut, p, SaveLog.read(cut, p));
        log.append(records(5, 4));
        try {
            log.sync();
        } catch (org.splitpoint.engine.io.FaultInjector.PowerCutException expected) {
            // the cut may come at the count's write or at the next operation
        }
        assertThat(cut.isCut()).as("the power went at the count's write").isTrue();
        cut.crash();
        SaveLog.Replay r = SaveLog.read(StorageFactory.real(), p);
        assertThat(r.records()).as("the forced records").isEqualTo(records(0, 9));
        assertThat(r.durableCount()).isIn(5L, -1L);
        assertThat(r.cutShort()).isNull();
    }
}
