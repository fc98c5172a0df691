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
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.PairState;

/**
 * In a REPOSITORY service window a host write goes to the repository (the members are not
 * written) and to the volume's second copies (the staged journal; a mirroring BCV). It set no
 * write-intent bit, so a power cut between the two left the repository, which hosts read after
 * the restart, with a write the second copy never got, and neither recovery at open (both go by
 * write-intent bits) looked for it: base + journal or the BCV parted from the volume for good.
 * Found by a review helper; both cases failed on the old code (journal: 4 seeds of 12; pair: one
 * cut). The mode can be set with -Dreview.mode=POINTERS|DATA (both passed before too).
 */
class RepositoryWindowCrashTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    /**
     * Journaled RAID 1 volume, member d1 OFFLINE in a repository window; one unflushed host write,
     * then the power goes (each unforced write lands or not). After the reopen the volume must
     * still be the journal's base chain plus its entries (what a ship or rebuild-from-backup makes).
     */
    @Test
    void aWriteKeptByTheRepositoryIsInTheJournalAfterACrash() throws Exception {
        Path template = tmp.resolve("template");
        Path store = tmp.resolve("store");
        TestPools.create(template, Layout.RAID1, 2, DRIVE, TRACK);
        byte[] image;
        try (Pool pool = Pool.open(template)) {
            List<String> legs = List.of(pool.admin().addDrive(4 * DRIVE), pool.admin().addDrive(4 * DRIVE));
            image = new byte[(int) pool.volume("v").size()];
            new Random(3).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            Files.createDirectories(store);
            assertThat(pool.journals().enable("v", legs, store, 3 * DRIVE, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
            pool.service().offline("d1", OfflineReason.RESET, LogMode.valueOf(System.getProperty("review.mode", "REPOSITORY")));
            for (Job j : pool.jobs()) {
                j.await(10_000);
            }
        }
        List<String> bad = new ArrayList<>();
        for (int seed = 1; seed <= 12; seed++) {
            Path dir = tmp.resolve("run-" + seed);
            TestPools.copyDir(template, dir);
            FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, seed);
            Pool pool = Pool.open(dir, inj);
            byte[] d = new byte[2 * TRACK];
            new Random(seed).nextBytes(d);
            pool.device("v").write(3 * TRACK, ByteBuffer.wrap(d)); // not flushed
            inj.crash();
            pool.abandon();
            AckOracle model = new AckOracle(image);
            model.wrote(3 * TRACK, d, Long.MAX_VALUE); // never acknowledged: either bytes may be there
            try (Pool reopened = Pool.open(dir)) {
                byte[] volume = TestPools.readAll(reopened.volume("v"));
                assertThat(model.check(volume)).as("seed %d: the volume", seed).isNull();
                assertThat(reopened.journals().status("v").protecting()).as("seed %d", seed).isTrue();
                byte[] made = JournaledPools.chainPlusJournal(reopened, "v");
                int m = java.util.Arrays.mismatch(made, volume);
                if (m >= 0) {
                    bad.add("seed " + seed + ": chain + journal differs from the volume at byte " + m + " (volume has the"
                            + " write: " + (volume[m] == d[m - 3 * TRACK]) + ", journal entries "
                            + reopened.journals().status("v").entries() + ")");
                }
            }
        }
        assertThat(bad).as("runs whose volume (through its repository) holds a write base + journal lack").isEmpty();
    }

    /**
     * A Synchronized pair whose STD is in a repository window: a mirrored host write reaches the
     * STD's repository; the power goes before the BCV's half (its write-intent bit was not yet on
     * disk). Reopened, the pair says Synchronized with nothing to copy, but the sides differ.
     */
    @Test
    void aMirroredWriteKeptByTheStdsRepositoryIsNotLostToTheBcv() throws Exception {
        Path template = tmp.resolve("pair-template");
        Pool.create(template, 4, DRIVE, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(template)) {
            p.admin().createVolume("std", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("bcv", Layout.RAID1, List.of("d3", "d4"), 0);
            p.pairs().create("p1", "std", "bcv");
            byte[] img = new byte[(int) p.device("std").size()];
            new Random(77).nextBytes(img);
            p.device("std").write(0, ByteBuffer.wrap(img));
            assertThat(p.pairs().establish("p1", true).await(60_000)).isTrue();
            assertThat(p.pairs().get("p1").state()).isEqualTo(PairState.Synchronized);
            p.service().offline("d1", OfflineReason.RESET, LogMode.valueOf(System.getProperty("review.mode", "REPOSITORY")));
            for (Job j : p.jobs()) {
                j.await(10_000);
            }
        }
        // count the writes one mirrored write makes, then cut after each of them
        long total = pairRun(template, tmp.resolve("pair-count"), 0);
        List<String> bad = new ArrayList<>();
        for (long cut = 1; cut <= total; cut++) {
            String r = pairRun(template, tmp.resolve("pair-cut-" + cut), cut) < 0 ? "cut " + cut : null;
            if (r != null) {
                bad.add(r);
            }
        }
        assertThat(bad).as("cuts after which the reopened pair is Synchronized but STD != BCV (of %d writes)", total).isEmpty();
    }

    /** Returns the writes made (cut 0), or -1 when the reopened mirroring pair's sides differ. */
    private long pairRun(Path template, Path dir, long cut) throws Exception {
        TestPools.copyDir(template, dir);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).unforcedWritesLand()
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        Pool pool = Pool.open(dir, inj);
        inj.powerCutAfterWrite(cut, 0, cut + 1);
        byte[] d = new byte[TRACK];
        new Random(cut + 5).nextBytes(d);
        try {
            pool.pairs().get("p1").stdView().write(40 * TRACK, ByteBuffer.wrap(d)); // not flushed
        } catch (Exception e) {
            if (cut == 0) {
                throw e;
            }
        }
        long writes = inj.writeCount();
        inj.crash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            reopened.awaitJobs(null);
            Pair p = reopened.pairs().get("p1");
            byte[] s = read(p.stdView());
            byte[] b = read(p.bcvView());
            if (p.state().mirrors() && p.stdInvalidTracks() == 0 && !java.util.Arrays.equals(s, b)) {
                System.out.println("cut " + cut + ": pair " + p.state() + ", stdInvalid " + p.stdInvalidTracks()
                        + ", STD and BCV differ at byte " + java.util.Arrays.mismatch(s, b));
                return -1;
            }
        }
        TestPools.deleteDir(dir);
        return writes;
    }

    private static byte[] read(BlockDevice dev) throws Exception {
        byte[] b = new byte[(int) dev.size()];
        dev.read(0, ByteBuffer.wrap(b));
        return b;
    }
}
