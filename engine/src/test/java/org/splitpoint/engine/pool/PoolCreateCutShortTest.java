package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A 'pool create' cut short by a power cut or a kill -9 at any of its writes leaves a directory the administrator
 * is told what to do with, and doing it works: before, an open said "create one with 'pool create'"
 * and the create then said "is not empty", round in a circle.
 */
class PoolCreateCutShortTest {

    private static final int SEEDS = 3;

    @TempDir
    Path tmp;

    @Test
    void aCreateCutAtAnyWriteLeavesADirectoryWhoseAdviceWorks() throws Exception {
        FaultInjector counting = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1);
        Pool.create(tmp.resolve("counted"), 3, 1 << 20, 4096, counting);
        long writes = counting.writeCount();
        assertThat(writes).isPositive(); // the images are sparse: pool.json's write at least
        int cutShort = 0;
        for (long cut = 1; cut <= writes; cut++) {
            for (int seed = 1; seed <= 2 * SEEDS; seed++) {
                boolean powerCut = seed <= SEEDS; // else kill -9: what was written stays, names and all
                Path run = tmp.resolve("run-" + cut + "-" + seed);
                Path dir = run.resolve("pool");
                FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, 0, seed);
                try {
                    Pool.create(dir, 3, 1 << 20, 4096, inj);
                } catch (Exception expected) { // the cut
                }
                if (powerCut) {
                    inj.crash();
                } else {
                    inj.processCrash();
                }
                String at = (powerCut ? "power cut" : "kill -9") + " at write " + cut + " of " + writes + ", seed " + seed;
                if (Files.isRegularFile(dir.resolve("pool.json"))) {
                    Pool.open(dir).close(); // the create landed: a pool
                    assertThatThrownBy(() -> Pool.create(dir, 3, 1 << 20, 4096, StorageFactory.real())).as(at)
                            .hasMessageContaining("is a Splitpoint pool already");
                } else if (Files.isDirectory(dir.resolve("drives"))) {
                    cutShort++;
                    PoolException open = catchThrowableOfType(() -> Pool.open(dir), PoolException.class);
                    PoolException create = catchThrowableOfType(
                            () -> Pool.create(dir, 3, 1 << 20, 4096, StorageFactory.real()), PoolException.class);
                    assertThat(open).as(at + ": the open refuses").isNotNull();
                    assertThat(create).as(at + ": the create refuses").isNotNull();
                    for (PoolException e : new PoolException[] {open, create}) {
                        assertThat(e.getMessage()).as(at).contains("'pool create' cut short")
                                .contains("remove " + dir + " and create the pool again")
                                .doesNotContain("create one with 'pool create'");
                    }
                    TestPools.deleteDir(dir); // the advice
                    Pool.create(dir, 3, 1 << 20, 4096, StorageFactory.real());
                    Pool.open(dir).close();
                } else {
                    Pool.create(dir, 3, 1 << 20, 4096, StorageFactory.real()); // nothing (or an empty directory) left
                    Pool.open(dir).close();
                }
                TestPools.deleteDir(run);
            }
        }
        assertThat(cutShort).as("runs that left drives/ without pool.json").isGreaterThan(0);
    }
}
