package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.pool.ThinProvisioning;

/**
 * Sparse drive images larger together than the free space of their file system: made, as thin
 * provisioning may be meant, but said on stderr; {@code pool status} puts the pool's total beside
 * the free space (8 TiB and 12 MiB reads "8.0 TiB"). 8 drives of 8T (64 TiB) outgrow any disk these tests run on; ext4 takes an 8 TiB
 * sparse file.
 */
class CliThinDrivesTest {

    private static final String THIN = "the drives are thin; writes fail with 'no space' once ";

    @TempDir
    Path tmp;

    @Test
    void aPoolCreatedLargerThanItsFileSystemIsMadeAndSaidThin() {
        Path pool = tmp.resolve("p");
        CliRun r = CliRun.of("pool", "create", pool, "--drives", 8, "--drive-size", "8T");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).startsWith("warning: 8 drives × 8 TiB = 64 TiB of images on a file system with ").contains(THIN);
        assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
    }

    @Test
    void aPoolThatFitsIsCreatedWithoutAWord() {
        CliRun r = CliRun.of("pool", "create", tmp.resolve("p"), "--drives", 2, "--drive-size", "4M");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
    }

    @Test
    void drivesAddedPastTheFreeSpaceAreAddedAndSaidThin() {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 2, "--drive-size", "4M").code()).isZero();
        CliRun small = CliRun.of("drive", "add", pool, "--count", 2);
        assertThat(small.code()).as(small.err()).isZero();
        assertThat(small.err()).as("2 drives of the pool's 4 MiB fit").isEmpty();
        CliRun big = CliRun.of("drive", "add", pool, "--count", 8, "--size", "8T");
        assertThat(big.code()).as(big.err()).isZero();
        assertThat(big.err()).startsWith("warning: 8 drives × 8 TiB = 64 TiB of images on a file system with ").contains(THIN);
        assertThat(big.out().lines().filter(l -> l.startsWith("added drive ")).count()).isEqualTo(8);
    }

    @Test
    void poolStatusPutsTheProvisionedTotalBesideTheFreeSpace() throws Exception {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 3, "--drive-size", "4M").code()).isZero();
        assertThat(CliRun.of("drive", "add", pool, "--size", "8T").code()).isZero();
        CliRun status = CliRun.of("pool", "status", pool);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out().lines().skip(1).findFirst().orElse(""))
                .matches("provisioned 8.0 TiB in 4 drives; [0-9.]+ [KMGTP]iB free on the pool's file system");
        JsonNode json = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(json.at("/provisionedBytes").asLong()).isEqualTo((8L << 40) + (12L << 20));
        assertThat(json.at("/fileSystemFreeBytes").asLong()).isCloseTo(ThinProvisioning.freeSpace(pool),
                org.assertj.core.data.Percentage.withPercentage(5));
    }
}
