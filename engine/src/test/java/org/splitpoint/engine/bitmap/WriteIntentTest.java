package org.splitpoint.engine.bitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

class WriteIntentTest {

    @TempDir
    Path dir;

    @Test
    void dirtyBitsAreDurableBeforeTheWriteAndClearAfterTwoIdleFlushes() throws Exception {
        Path f = dir.resolve("v.wib");
        WriteIntent wi = new WriteIntent(DurableBitmap.create(StorageFactory.real(), f, 10_000, false));
        wi.beginWrite(100, 102);
        try (DurableBitmap reread = DurableBitmap.open(StorageFactory.real(), f, 10_000, true)) {
            assertThat(reread.bits().get(100)).isTrue();
            assertThat(reread.bits().get(101)).isTrue();
        }
        wi.afterFlush(); // written in this interval: stays
        assertThat(wi.dirty().get(100)).isTrue();
        wi.afterFlush(); // idle one interval, but written in the last: stays
        assertThat(wi.dirty().get(100)).isTrue();
        wi.afterFlush(); // idle two intervals: cleared
        assertThat(wi.dirty().cardinality()).isZero();
        wi.close();
    }

    @Test
    void pinnedTracksStayDirtyThroughFlushesAndAClearAll() throws Exception {
        WriteIntent wi = new WriteIntent(DurableBitmap.create(StorageFactory.real(), dir.resolve("p.wib"), 1000, false));
        wi.beginWrite(7, 8);
        wi.pin(7, 8);
        for (int i = 0; i < 4; i++) {
            wi.afterFlush();
        }
        assertThat(wi.dirty().get(7)).isTrue();
        wi.clearAll();
        assertThat(wi.dirty().get(7)).isTrue();
        wi.unpin(7);
        wi.afterFlush(); // its resync counts as a write of this interval
        assertThat(wi.dirty().get(7)).isTrue();
        wi.afterFlush();
        wi.afterFlush();
        assertThat(wi.dirty().get(7)).isFalse();
        wi.close();
    }

    @Test
    void aMissingOrTruncatedBitmapIsRefusedNotReadAsClean() throws Exception {
        Path f = dir.resolve("t.wib");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DurableBitmap.open(StorageFactory.real(), f, 10_000, true))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
        DurableBitmap.create(StorageFactory.real(), f, 100_000, true).close();
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(4096 + 100);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DurableBitmap.open(StorageFactory.real(), f, 100_000, true))
                .isInstanceOf(org.splitpoint.engine.meta.CorruptMetadataException.class).hasMessageContaining("truncated");
    }

    @Test
    void sequentialWritesDirtyAGrowingWindowAhead() throws Exception {
        WriteIntent wi = new WriteIntent(DurableBitmap.create(StorageFactory.real(), dir.resolve("s.wib"), 1 << 16, false));
        wi.beginWrite(0, 1);
        wi.beginWrite(1, 2);
        wi.beginWrite(2, 3);
        // each newly dirtied range ran ahead of the writer, doubling
        assertThat(wi.dirty().cardinality()).isGreaterThan(3);
        assertThat(wi.dirty().cardinality()).isLessThanOrEqualTo(1 + 2 + 4 + 8);
        wi.close();
    }

    @Test
    void bitmapCountsAndFindsBits() {
        TrackBitmap b = new TrackBitmap(200);
        assertThat(b.setRange(10, 70)).isEqualTo(60);
        assertThat(b.set(150)).isTrue();
        assertThat(b.set(150)).isFalse();
        assertThat(b.cardinality()).isEqualTo(61);
        assertThat(b.nextSetBit(0)).isEqualTo(10);
        assertThat(b.nextSetBit(70)).isEqualTo(150);
        assertThat(b.nextSetBit(151)).isEqualTo(-1);
        b.setAll();
        assertThat(b.cardinality()).isEqualTo(200);
    }
}
