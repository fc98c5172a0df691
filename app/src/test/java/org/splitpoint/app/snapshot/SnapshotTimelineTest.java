package org.splitpoint.app.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.pool.SnapshotAdmin;

/** The timeline's model, names and the save area's gauge, pure: no pool, no toolkit. */
class SnapshotTimelineTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final Instant NOW = Instant.parse("2026-12-02T08:12:00Z");

    private static SnapshotAdmin.Info info(String name, String at, long tracks, String state, String why) {
        return new SnapshotAdmin.Info("prod", name, 1, at, tracks, tracks * 65536, state, why, false, null);
    }

    @Test
    void pointsRunFromTheOldestAtTheLeftToNowAtTheRightWithAgesAndBytesHeld() {
        SnapshotTimeline.Axis a = SnapshotTimeline.of(List.of(
                info("a", "2026-12-02T08:00:00Z", 16, "valid", null),
                info("b", "2026-12-02T08:09:00Z", 0, "valid", null),
                info("c", "2026-12-02T08:11:58Z", 3, "invalid", "the save area was full")), NOW, UTC);

        assertThat(a.points()).extracting(SnapshotTimeline.Point::name).containsExactly("a", "b", "c");
        assertThat(a.points()).extracting(SnapshotTimeline.Point::position).containsExactly(0.0, 0.75, 718.0 / 720);
        assertThat(a.point("a").age()).isEqualTo("12 min ago");
        assertThat(a.point("a").held()).isEqualTo("holds 1 MiB");
        assertThat(a.point("b").age()).isEqualTo("3 min ago");
        assertThat(a.point("b").held()).isEqualTo("holds nothing yet");
        assertThat(a.point("c").age()).isEqualTo("just now");
        assertThat(a.point("c").valid()).isFalse();
        assertThat(a.point("c").why()).isEqualTo("the save area was full");
        assertThat(a.point("a").when()).isEqualTo(org.splitpoint.app.common.Format.when("2026-12-02T08:00:00Z"));
        assertThat(a.start()).isEqualTo("08:00");
        assertThat(a.end()).isEqualTo("now");
    }

    /**
     * The clock set back an hour between b and c: c's time is before a's. The engine lists them a, b, c (the
     * order they were taken in); the timeline sorted them by time, c first at the left, as if c were the oldest.
     */
    @Test
    void aSnapshotTakenAfterTheClockWentBackKeepsTheEnginesOrder() {
        SnapshotTimeline.Axis a = SnapshotTimeline.of(List.of(
                info("a", "2026-12-02T08:00:00Z", 1, "valid", null),
                info("b", "2026-12-02T08:06:00Z", 1, "valid", null),
                info("c", "2026-12-02T07:10:00Z", 1, "valid", null)), NOW, UTC);

        assertThat(a.points()).extracting(SnapshotTimeline.Point::name).containsExactly("a", "b", "c");
        assertThat(a.points()).extracting(SnapshotTimeline.Point::position).containsExactly(0.0, 0.5, 0.5);
        assertThat(a.start()).as("the first taken is the left end").isEqualTo("08:00");
        assertThat(a.point("c").age()).as("each says its own time").isEqualTo("1 h 2 min ago");
    }

    @Test
    void oneSnapshotSitsAtTheLeftAndAnOlderDayIsNamedOnTheAxis() {
        SnapshotTimeline.Axis a = SnapshotTimeline.of(List.of(info("old", "2026-11-30T22:05:00Z", 1, "valid", null)),
                NOW, UTC);
        assertThat(a.points()).singleElement().satisfies(p -> {
            assertThat(p.position()).isZero();
            assertThat(p.age()).isEqualTo("1 d 10 h ago");
        });
        assertThat(a.start()).isEqualTo("Nov 30 22:05");
        assertThat(SnapshotTimeline.of(List.of(), NOW, UTC)).isEqualTo(SnapshotTimeline.Axis.EMPTY);
    }

    @Test
    void agesAreSaidAsPeopleSayThem() {
        assertThat(SnapshotTimeline.ago(NOW.minusSeconds(4), NOW)).isEqualTo("just now");
        assertThat(SnapshotTimeline.ago(NOW.minusSeconds(42), NOW)).isEqualTo("42 s ago");
        assertThat(SnapshotTimeline.ago(NOW.minusSeconds(192), NOW)).isEqualTo("3 min ago");
        assertThat(SnapshotTimeline.ago(NOW.minusSeconds(7200), NOW)).isEqualTo("2 h ago");
        assertThat(SnapshotTimeline.ago(NOW.minusSeconds(7500), NOW)).isEqualTo("2 h 5 min ago");
        assertThat(SnapshotTimeline.ago(NOW.plusSeconds(30), NOW)).as("a clock a little behind").isEqualTo("just now");
    }

    @Test
    void safetySnapshotsAreMarked() {
        SnapshotTimeline.Axis a = SnapshotTimeline.of(List.of(info("mine", "2026-12-02T08:10:00Z", 0, "valid", null),
                info("before-restore-20261202-081100", "2026-12-02T08:11:00Z", 0, "valid", null)), NOW, UTC);
        assertThat(a.points()).extracting(SnapshotTimeline.Point::name).containsExactly("mine", "before-restore-20261202-081100");
        assertThat(a.point("before-restore-20261202-081100").safety()).isTrue();
        assertThat(a.point("mine").safety()).isFalse();
    }

    @Test
    void pointsCloserThanAClickAreSpreadAndStayInside() {
        SnapshotTimeline.Axis a = SnapshotTimeline.of(List.of(
                info("a", "2026-12-02T08:00:00Z", 0, "valid", null),
                info("b", "2026-12-02T08:00:01Z", 0, "valid", null),
                info("c", "2026-12-02T08:11:59Z", 0, "valid", null),
                info("d", "2026-12-02T08:12:00Z", 0, "valid", null)), NOW, UTC);
        double[] xs = SnapshotTimelineView.spread(a.points(), 10, 410);
        assertThat(xs[0]).isEqualTo(10);
        assertThat(xs[1]).isEqualTo(10 + SnapshotTimelineView.MIN_GAP);
        assertThat(xs[3]).isEqualTo(410);
        assertThat(xs[2]).isEqualTo(410 - SnapshotTimelineView.MIN_GAP);
    }

    @Test
    void namesAreProposedFromTheTimeAndJudgedByTheEnginesRule() {
        assertThat(SnapshotNames.propose(NOW, UTC, List.of())).isEqualTo("snap-20261202-0812");
        assertThat(SnapshotNames.propose(NOW, UTC, List.of("snap-20261202-0812", "snap-20261202-0812-2")))
                .isEqualTo("snap-20261202-0812-3");
        assertThat(SnapshotNames.propose(NOW, ZoneId.of("Europe/Berlin"), List.of())).isEqualTo("snap-20261202-0912");

        List<SnapshotAdmin.Info> existing = List.of(info("a", "2026-12-02T08:00:00Z", 0, "valid", null));
        assertThat(SnapshotNames.whyNot("snap-1", "prod", existing)).isEmpty();
        assertThat(SnapshotNames.whyNot("  snap-1 ", "prod", existing)).as("blanks around are ignored").isEmpty();
        assertThat(SnapshotNames.whyNot("", "prod", existing)).isEqualTo("type a name for the snapshot");
        assertThat(SnapshotNames.whyNot("1st", "prod", existing)).isEqualTo("'1st' is not a valid snapshot name (a letter,"
                + " then up to 62 letters, digits, '_', '.' or '-')");
        assertThat(SnapshotNames.whyNot("a b", "prod", existing)).startsWith("'a b' is not a valid snapshot name");
        assertThat(SnapshotNames.whyNot("a".repeat(63), "prod", existing)).isEmpty();
        assertThat(SnapshotNames.whyNot("a".repeat(64), "prod", existing))
                .isEqualTo("a snapshot name has at most 63 characters; 'aaaaaaaaaaaaaaaaaaaa…' has 64");
        assertThat(SnapshotNames.whyNot("a", "prod", existing)).isEqualTo("volume prod has a snapshot named a already ("
                + org.splitpoint.app.common.Format.when("2026-12-02T08:00:00Z") + "); pick another name or delete that"
                + " one first");
        assertThat(SnapshotNames.whyNot("a", "other", existing)).as("another volume's snapshot of that name").isEmpty();
    }

    @Test
    void theSaveAreaGaugeMarks80And95PercentAndTurnsAmberThenRed() {
        var low = SaveAreaFacts.gauge(new SnapshotAdmin.SaveAreaInfo("save", 100, 10, 65536, 0, null));
        assertThat(low.fraction()).isEqualTo(0.10);
        assertThat(low.text()).isEqualTo("640 KiB of 6.3 MiB used · 10%");
        assertThat(low.marks()).containsExactly(0.80, 0.95);
        assertThat(low.level()).isEqualTo(org.splitpoint.app.journal.Gauge.Level.LOW);
        assertThat(SaveAreaFacts.gauge(new SnapshotAdmin.SaveAreaInfo("save", 100, 79, 65536, 0, null)).level())
                .isEqualTo(org.splitpoint.app.journal.Gauge.Level.LOW);
        assertThat(SaveAreaFacts.gauge(new SnapshotAdmin.SaveAreaInfo("save", 100, 80, 65536, 0, null)).level())
                .isEqualTo(org.splitpoint.app.journal.Gauge.Level.NEAR);
        assertThat(SaveAreaFacts.gauge(new SnapshotAdmin.SaveAreaInfo("save", 100, 95, 65536, 0, null)).level())
                .isEqualTo(org.splitpoint.app.journal.Gauge.Level.FULL);
        assertThat(SaveAreaFacts.gauge(new SnapshotAdmin.SaveAreaInfo("save", 1000, 3, 65536, 0, null)).text())
                .endsWith(" · 0.3%");
        assertThat(SaveAreaFacts.gauge(null)).isEqualTo(org.splitpoint.app.journal.Gauge.NONE);
    }
}
