package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.backup.ChainVerify;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;

/** {@link ImageVerifyLine}: each image's rate measured from its own first report, on a clock the test moves. */
class ImageVerifyLineTest {

    private static final long MIB = 1 << 20;
    private long now = 5_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void theFirstReportOfAnImageShowsHowFarButNoRate() {
        ImageVerifyLine line = new ImageVerifyLine(() -> now);
        assertThat(line.text("full-1", MIB, 10 * MIB)).isEqualTo(String.format("verify full-1  %5.1f%%  1 MiB of 10 MiB read", 10.0));
    }

    @Test
    void laterReportsShowTheRateSinceTheFirstAndAnEta() {
        ImageVerifyLine line = new ImageVerifyLine(() -> now);
        line.text("full-1", MIB, 10 * MIB);
        now += 1_000_000_000L; // 2 MiB in a second; 7 MiB to go: 3.5 s
        assertThat(line.text("full-1", 3 * MIB, 10 * MIB)).endsWith("3 MiB of 10 MiB read  2.1 MB/s  ETA 0:04");
    }

    @Test
    void anotherImageStartsItsOwnClock() {
        ImageVerifyLine line = new ImageVerifyLine(() -> now);
        line.text("inc-2", MIB, 2 * MIB);
        now += 10_000_000_000L;
        line.text("inc-2", 2 * MIB, 2 * MIB); // a slow first image
        assertThat(line.text("full-1", MIB, 4 * MIB)).doesNotContain("MB/s");
        now += 500_000_000L;
        assertThat(line.text("full-1", 2 * MIB, 4 * MIB)).endsWith("2.1 MB/s  ETA 0:01");
    }

    /**
     * An image's verify read its data file whole, then each track again: the ETA covered the first pass
     * only, said 0:00 at its end and nothing while the track pass read as much again. It reads the file once
     * now for both checks. On a clock that moves 1 µs per byte the image's data files give (1 MB/s), each
     * line's ETA is the time its verify still took: a read the progress does not count would make it short.
     */
    @Test
    void theEtaCoversAllOfTheVerify() throws Exception {
        Path pool = tmp.resolve("p");
        Path store = tmp.resolve("s");
        CliRun.of("pool", "create", pool, "--drives", 2, "--drive-size", "16M");
        CliRun.of("volume", "create", pool, "v", "--layout", "raid1", "--drives", "d1,d2", "--size", "8M");
        byte[] data = new byte[8 << 20];
        new Random(9).nextBytes(data);
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", Files.write(tmp.resolve("d"), data)).code())
                .isZero();
        CliRun backup = CliRun.of("backup", "create", pool, "v", "--store", store, "--full");
        assertThat(backup.code()).as(backup.err()).isZero();
        String id = Json.MAPPER.readTree(CliRun.of("backup", "list", store, "--json").out()).get(0).get("id").asText();

        ForwardingStorage clocked = new ForwardingStorage() {
            @Override
            public StorageFile openRead(Path path) throws IOException {
                StorageFile f = super.openRead(path);
                return !path.getFileName().toString().equals("data") ? f : new ForwardingFile(f) {
                    @Override
                    public void readFully(long position, ByteBuffer dst) throws IOException {
                        now += 1_000L * dst.remaining();
                        super.readFully(position, dst);
                    }
                };
            }
        };
        ImageVerifyLine line = new ImageVerifyLine(() -> now);
        List<String> lines = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        ChainVerify.Verdict v = new ChainVerify(DirectoryStore.open(store, clocked, false)).verify(id, (image, done, total) -> {
            lines.add(line.text(image, done, total));
            at.add(now);
        });
        assertThat(v.ok()).as(v.sentence()).isTrue();
        Pattern eta = Pattern.compile("ETA (\\d+):(\\d\\d)$");
        int withEta = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = eta.matcher(lines.get(i));
            if (m.find()) {
                long said = Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2));
                long took = (long) Math.ceil((now - at.get(i)) / 1e9);
                assertThat(said).as(lines.get(i) + ": the verify went on for " + took + " s").isEqualTo(took);
                withEta++;
            }
        }
        assertThat(withEta).as("lines with an ETA: " + lines).isGreaterThan(4);
        assertThat(lines.get(lines.size() - 1)).contains("100.0%", "8 MiB of 8 MiB read", "ETA 0:00");
    }
}
