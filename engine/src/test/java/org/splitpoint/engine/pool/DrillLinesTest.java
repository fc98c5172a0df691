package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A drill printed line by line (drill run --json-lines, what an app attached to the holder reads to
 * show the drill live) reads back as it was written, and a real drill's lines tell its steps in
 * order, the window's delta while the drive is out, and the result last.
 */
class DrillLinesTest {

    @TempDir
    Path tmp;

    @Test
    void eachLineReadsBackAsWritten() throws IOException {
        Instant t = Instant.parse("2026-12-03T06:41:25.123456789Z");
        assertThat(DrillLines.read(DrillLines.step("offline", "d2 OFFLINE (reset)", t)))
                .isEqualTo(new DrillLines.Began("offline", "d2 OFFLINE (reset)", t));
        assertThat(DrillLines.read(DrillLines.writes(1284, 21_037_056))).isEqualTo(new DrillLines.Writes(1284, 21_037_056));

        TrackBitmap owed = new TrackBitmap(130); // three words, the last one partly used
        owed.set(0);
        owed.set(64);
        owed.set(129);
        String line = DrillLines.windowNode("prod", 65536, new ServiceAdmin.TrackMap(owed, "resync")).toString();
        assertThat(line).doesNotContain("\n");
        var w = (DrillLines.Window) DrillLines.read(line);
        assertThat(w.volume()).isEqualTo("prod");
        assertThat(w.trackSize()).isEqualTo(65536);
        assertThat(w.map().phase()).isEqualTo("resync");
        assertThat(w.map().owed().size()).isEqualTo(130);
        assertThat(w.map().owed().toWords()).isEqualTo(owed.toWords());
        assertThat(((DrillLines.Window) DrillLines.read(DrillLines.windowNode("prod", 65536, null).toString())).map())
                .as("no window open").isNull();

        Drill.Result r = new Drill.Result("prod", "d1", OfflineReason.FIRMWARE, LogMode.POINTERS, t, 545, 1024, 0.32, 0.61,
                1284, 21_037_056, 0, 0, 0, 0, 0, null, null,
                List.of(new Drill.Step("offline", t, t.plusMillis(125), "d1 OFFLINE (firmware)")));
        String last = DrillLines.result(r);
        assertThat(last).doesNotContain("\n");
        assertThat(DrillLines.read(last)).isEqualTo(new DrillLines.Finished(r));
        assertThat(DrillJson.read(new com.fasterxml.jackson.databind.ObjectMapper().readTree(last)))
                .as("the last line is --json's document, with its type").isEqualTo(r);

        assertThat(DrillLines.read("{\"type\":\"progress\",\"percent\":3}")).as("a later version's line")
                .isEqualTo(new DrillLines.Other("progress"));
    }

    @Test
    void aLineOfAnotherFormatIsRefusedWithASentence() {
        assertThatThrownBy(() -> DrillLines.read("drill: offline")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> DrillLines.read("{\"type\":\"window\",\"volume\":\"prod\",\"phase\":\"window\","
                + "\"tracks\":200,\"owed\":\"AAAAAAAAAAE=\"}")).isInstanceOf(IOException.class)
                .hasMessageContaining("200 tracks in 1 words");
        assertThatThrownBy(() -> DrillLines.read("{\"type\":\"step\",\"step\":\"offline\",\"at\":\"yesterday\"}"))
                .isInstanceOf(IOException.class).hasMessageContaining("could not be read");
    }

    @Test
    void aDrillPrintedAsItRunsTellsItsStepsItsDeltaAndItsResultLast() throws Exception {
        Path dir = tmp.resolve("pool");
        Pool.create(dir, 3, 2 << 20, 16384, StorageFactory.real());
        List<String> lines = new ArrayList<>();
        Drill.Result result;
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume("v", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            pool.startJobs();
            var printer = new DrillLines.Printer(pool, "v", lines::add);
            result = Drill.run(pool, new Drill.Plan("v", "d2", OfflineReason.RESET, LogMode.POINTERS, Duration.ofSeconds(2),
                    null, true), printer);
            printer.finished(result);
        }
        List<DrillLines.Line> read = new ArrayList<>();
        for (String l : lines) {
            assertThat(l).doesNotContain("\n");
            read.add(DrillLines.read(l));
        }
        assertThat(read.get(read.size() - 1)).isEqualTo(new DrillLines.Finished(result));
        assertThat(read.stream().filter(l -> l instanceof DrillLines.Began).map(l -> ((DrillLines.Began) l).step()))
                .as("the steps as they began, in the result's order")
                .containsExactlyElementsOf(result.timeline().stream().map(Drill.Step::name).toList());
        int online = indexOfStep(read, "online");
        DrillLines.Window atReturn = (DrillLines.Window) read.subList(0, online).stream()
                .filter(l -> l instanceof DrillLines.Window).reduce((a, b) -> b).orElseThrow();
        assertThat(atReturn.map().phase()).as("the last window before the drive comes back: its whole delta")
                .isEqualTo("window");
        assertThat(atReturn.map().owed().cardinality()).isEqualTo(result.tracksResynced()).isPositive();
        assertThat(read.subList(0, online)).as("the write count, while the drive is out")
                .anyMatch(l -> l instanceof DrillLines.Writes w && w.writes() > 0);
        List<DrillLines.Line> windows = read.stream().filter(l -> l instanceof DrillLines.Window).toList();
        assertThat(((DrillLines.Window) windows.get(windows.size() - 1)).map()).as("the last window line: none open any more")
                .isNull();
    }

    private static int indexOfStep(List<DrillLines.Line> read, String step) {
        for (int i = 0; i < read.size(); i++) {
            if (read.get(i) instanceof DrillLines.Began b && b.step().equals(step)) {
                return i;
            }
        }
        throw new AssertionError("no step " + step);
    }
}
