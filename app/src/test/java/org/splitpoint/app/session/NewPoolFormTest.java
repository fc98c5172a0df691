package org.splitpoint.app.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** New pool: the first problem as a sentence, none for a good form. */
class NewPoolFormTest {

    @TempDir
    Path tmp;

    private NewPoolForm form(String dir, int drives, String size, String track, boolean demo) {
        return new NewPoolForm(dir, drives, size, track, demo);
    }

    @Test
    void aNewDirectoryWithSaneSizesIsFine() {
        assertThat(form(tmp.resolve("p").toString(), 6, "64M", "64K", true).problem()).isEmpty();
    }

    @Test
    void eachBadFieldSaysWhatIsWrong() {
        String dir = tmp.resolve("p").toString();
        assertThat(form("", 6, "64M", "64K", false).problem()).isEqualTo("choose a directory for the pool");
        assertThat(form("rel/dir", 6, "64M", "64K", false).problem()).isEqualTo("the directory must be an absolute path");
        assertThat(form(dir, 0, "64M", "64K", false).problem()).isEqualTo("a pool has 1 to 256 drives, not 0");
        assertThat(form(dir, 4, "64M", "64K", true).problem()).isEqualTo("the demo volumes and pair need 6 drives");
        assertThat(form(dir, 6, "64X", "64K", false).problem()).startsWith("drive size: '64X' is not a size");
        assertThat(form(dir, 6, "512K", "64K", false).problem()).isEqualTo("a drive must be at least 1M");
        assertThat(form(dir, 6, "1048577", "64K", false).problem()).isEqualTo("the drive size must be a multiple of 4K");
        assertThat(form(dir, 6, "64M", "48K", false).problem()).isEqualTo("the track size must be a power of two from 4K to 1G");
    }

    @Test
    void aPoolThatOutgrowsTheFreeSpaceWaitsForTheTickAndOneThatFitsDoesNot() {
        String dir = tmp.resolve("p").toString();
        long free = 77L << 30;
        NewPoolForm big = form(dir, 64, "64T", "64K", false);
        assertThat(big.problem()).as("the fields alone are right").isEmpty();
        assertThat(big.thin(free)).isTrue();
        assertThat(big.checkWith("", free, false)).isEqualTo(new NewPoolForm.Problem(NewPoolForm.Field.THIN,
                "the drives can outgrow the free space: tick 'I know the drives are thin' to create the pool"));
        assertThat(big.checkWith("", free, true)).isEqualTo(NewPoolForm.Problem.NONE);
        assertThat(big.checkWith("", -1, false)).as("a free space not known calls nothing thin").isEqualTo(NewPoolForm.Problem.NONE);
        assertThat(form(dir, 6, "64M", "64K", false).checkWith("", free, false)).isEqualTo(NewPoolForm.Problem.NONE);
        assertThat(form(dir, 6, "64X", "64K", false).provisioning(free)).as("no total while the size is wrong").isEmpty();
        assertThat(Long.parseLong(NewPoolForm.freeSpace(dir))).as("asked through the existing parent").isPositive();
        assertThat(NewPoolForm.freeSpace("rel/dir")).isEqualTo("-1");
    }

    @Test
    void aDirectoryThatIsNotEmptyIsRefused() throws Exception {
        Files.writeString(tmp.resolve("x"), "x");
        assertThat(form(tmp.toString(), 6, "64M", "64K", false).problem())
                .isEqualTo(tmp + " is not empty; a pool is created in a new or empty directory");
    }

    @Test
    void aDirectoryACreateCutShortLeftIsSaidAsSuchBeforeTheClick() throws Exception {
        Path dir = tmp.resolve("cut");
        Files.createDirectories(dir.resolve("drives"));
        Files.createDirectories(dir.resolve("meta"));
        Files.writeString(dir.resolve("drives").resolve("d1.img"), "");
        assertThat(form(dir.toString(), 6, "64M", "64K", false).check().field()).isEqualTo(NewPoolForm.Field.DIRECTORY);
        assertThat(form(dir.toString(), 6, "64M", "64K", false).problem())
                .contains("a 'pool create' cut short").contains("remove " + dir + " and create the pool again");
    }
}
