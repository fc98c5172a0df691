package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * The journals after an unclean shutdown: each journaled volume's uncertain tracks are journaled
 * again at open (JournalAfterCrash.rejournalAfterCrash). When one journal could not take them (too
 * full), it stopped protecting its volume and returned from the whole recovery: the journals after
 * it in the pool's map took nothing again, and went on claiming to protect volumes whose base plus
 * journal no longer made them (a write that reached the members before the crash but not the
 * journal was in neither).
 */
class JournalAfterCrashTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aJournalTooFullAfterACrashDoesNotLeaveTheNextVolumesJournalBehind() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK); // v on d1, d2
        try (Pool pool = Pool.open(dir)) {
            List<String> w = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            pool.admin().createVolume("w", Layout.RAID1, w, pool.volume("v").size());
            Random rnd = new Random(5);
            for (String volume : List.of("v", "w")) {
                byte[] image = new byte[(int) pool.volume(volume).size()];
                rnd.nextBytes(image);
                pool.device(volume).write(0, ByteBuffer.wrap(image));
                Path store = Files.createDirectories(tmp.resolve("store-" + volume));
                List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
                assertThat(pool.journals().enable(volume, legs, store, 900 * 1024, 0).await(60_000)).isTrue();
            }
            assertThat(new ArrayList<>(pool.journals.keySet())).as("the recovery takes v's journal first")
                    .containsExactly("v", "w");
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        // v: 800 KiB unflushed, so its uncertain tracks do not fit beside its entries at the next open
        byte[] big = new byte[800 * 1024];
        new Random(6).nextBytes(big);
        pool.device("v").write(0, ByteBuffer.wrap(big));
        // w: a track written, unflushed: uncertain at the next open
        byte[] d = new byte[TRACK];
        new Random(7).nextBytes(d);
        pool.device("w").write(3 * TRACK, ByteBuffer.wrap(d));
        inj.crash();
        pool.abandon();
        // what a power cut may leave: the members took another write of w's track 3, the journal did not
        byte[] landed = new byte[TRACK];
        new Random(8).nextBytes(landed);
        for (String member : List.of("d3", "d4")) {
            try (StorageFile f = StorageFactory.real().open(dir.resolve("drives/" + member + ".img"))) {
                f.writeFully(3L * TRACK, ByteBuffer.wrap(landed));
                f.force();
            }
        }
        try (Pool reopened = Pool.open(dir)) {
            assertThat(reopened.journals().status("v").protecting()).as("v's journal, too full to take its tracks")
                    .isFalse();
            byte[] volume = TestPools.readAll(reopened.volume("w"));
            assertThat(java.util.Arrays.copyOfRange(volume, 3 * TRACK, 4 * TRACK)).isEqualTo(landed);
            assertThat(reopened.journals().status("w").protecting()).isTrue();
            TestPools.assertSameBytes(JournaledPools.chainPlusJournal(reopened, "w"), volume, "w's base plus its journal");
        }
    }
}
