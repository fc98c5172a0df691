package org.splitpoint.engine.bitmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

class ChangeTrackerTest {

    @TempDir
    Path tmp;

    /**
     * A take whose map cannot be written (its file system full) cleared the marks in memory and
     * threw: its caller (a backup's or a restore's start) was told it failed, and the next
     * incremental backup, built from memory, left those tracks out.
     */
    @Test
    void aTakeThatCannotBeWrittenKeepsTheMarks() throws Exception {
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        Path f = tmp.resolve("v.cbt");
        ChangeTracker cbt = new ChangeTracker(DurableBitmap.create(disk, f, 10_000, false));
        cbt.beginWrite(3, 4);
        cbt.beginWrite(9_000, 9_002);
        disk.diskFullAfter(p -> p.equals(f), 0);
        assertThatThrownBy(cbt::take).hasMessageContaining("No space left on device");
        disk.diskFreed();
        assertThat(cbt.changed().cardinality()).as("marks after a failed take").isEqualTo(3);
        assertThat(cbt.take().cardinality()).isEqualTo(3);
        assertThat(cbt.changed().cardinality()).isZero();
        cbt.close();
    }
}
