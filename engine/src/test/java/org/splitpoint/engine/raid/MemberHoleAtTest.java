package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.PageCacheProbe;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.DriveState;

/**
 * {@link Member#holeAt}: a hole of the image is zeros only where no stripe update still to redo
 * (the member's journal overlay, which its reads show) covers any of it. A zeroing that took such
 * rows for zeros would skip writing over bytes the member's reads return as data.
 */
class MemberHoleAtTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aHoleUnderAnUpdateStillToRedoIsNoHole() throws Exception {
        assumeTrue(PageCacheProbe.available(), "needs --add-modules jdk.incubator.foreign, native access and sun.nio.ch open");
        StorageFile file = StorageFactory.real().create(dir.resolve("d1.img"));
        file.setLength(16L * MIB);
        assumeTrue(file.hole(0, 8 * MIB), "this file system does not report holes (SEEK_DATA)");
        Member m = new Member(0, "d1", file, DriveState.ONLINE, true);
        assertThat(m.holeAt(MIB, 64 << 10)).as("a hole, nothing to redo").isTrue();

        m.setOverlay(List.of(new StripeJournal.Segment(0, MIB + 4096, new byte[512])));
        assertThat(m.holeAt(MIB, 64 << 10)).as("the rows an update to redo covers part of").isFalse();
        assertThat(m.holeAt(MIB + 4096 + 512, 4096)).as("the rows just after the update").isTrue();
        assertThat(m.holeAt(MIB + 4096 - 100, 100)).as("the rows just before it").isTrue();
        assertThat(m.holeAt(2L * MIB, 64 << 10)).as("rows elsewhere").isTrue();

        m.setOverlay(null); // redone
        assertThat(m.holeAt(MIB, 64 << 10)).isTrue();
        assertThat(m.holeAt(15L * MIB, MIB)).as("the last MiB (a new image holds no block: setLength extends by ftruncate)").isTrue();
        file.close();
    }
}
