package org.splitpoint.app.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.JobHistory;

/** Notifications come one per burst: a single item as it is, a burst counted with its first lines. */
class NoticeFeedTest {

    private final List<Runnable> pending = new ArrayList<>();
    private final List<Notice> shown = new ArrayList<>();
    private final NoticeFeed feed = new NoticeFeed((delay, task) -> pending.add(task));

    NoticeFeedTest() {
        feed.onNotice(shown::add);
    }

    private static JobHistory.Entry ended(String target, JobState result) {
        return new JobHistory.Entry("restore-" + target, "restore", target, result,
                result == JobState.FAILED ? "drive d2 failed on read" : "", "2026-12-03T01:00:00Z",
                "2026-12-03T01:00:12Z", 12, 64 << 20, 1024, 1024);
    }

    private void burstEnds() {
        List<Runnable> now = new ArrayList<>(pending);
        pending.clear();
        now.forEach(Runnable::run);
    }

    @Test
    void oneEndedJobIsOneInformationNotice() {
        feed.jobsEnded(List.of(ended("p1", JobState.DONE)));
        assertThat(shown).isEmpty(); // the burst is still open
        burstEnds();
        assertThat(shown).containsExactly(new Notice("Job ended", "restore p1 DONE in 0:12, 64 MiB, 1024/1024 tracks", false));
    }

    /**
     * A journal's base backup into a full store failed every minute, each a "Job failed" notice: the
     * same failure of the same job again is noticed once; another failure, or a failure after the job
     * ended well, is news.
     */
    @Test
    void aJobFailingAgainAsItFailedBeforeIsNoticedOnce() {
        for (int i = 0; i < 3; i++) {
            feed.jobsEnded(List.of(ended("p1", JobState.FAILED)));
            burstEnds();
        }
        assertThat(shown).extracting(Notice::title).containsExactly("Job failed");
        feed.jobsEnded(List.of(new JobHistory.Entry("restore-p1", "restore", "p1", JobState.FAILED, "drive d3 failed on read",
                "2026-12-03T01:00:00Z", "2026-12-03T01:00:12Z", 12, 64 << 20, 1024, 1024)));
        burstEnds();
        feed.jobsEnded(List.of(ended("p2", JobState.FAILED)));
        burstEnds();
        feed.jobsEnded(List.of(ended("p1", JobState.DONE)));
        burstEnds();
        feed.jobsEnded(List.of(ended("p1", JobState.FAILED)));
        burstEnds();
        assertThat(shown).extracting(Notice::title).containsExactly("Job failed", "Job failed", "Job failed", "Job ended",
                "Job failed");
    }

    /** A backup's notice said the 128 MiB it read where its image stores 46 MiB: it says both. */
    /**
     * A journal ships on its own at its max size or age; with a small one, every few seconds, each ship a
     * "Job ended" popup, stacked four high over the event log (a GUI pass). A ship that went well is no
     * notice; one that failed is, as any job's failure.
     */
    @Test
    void aJournalShipThatWentWellIsNoNoticeAndOneThatFailedIs() {
        for (int i = 0; i < 3; i++) {
            feed.jobsEnded(List.of(new JobHistory.Entry("journal-ship-prod", "journal-ship", "prod", JobState.DONE, "",
                    "2026-12-03T01:00:00Z", "2026-12-03T01:00:02Z", 2, 8 << 20, 128, 128)));
            burstEnds();
        }
        assertThat(shown).isEmpty();
        feed.jobsEnded(List.of(new JobHistory.Entry("journal-ship-prod", "journal-ship", "prod", JobState.FAILED,
                "the store is full", "2026-12-03T01:00:00Z", "2026-12-03T01:00:02Z", 2, 8 << 20, 64, 128)));
        burstEnds();
        assertThat(shown).extracting(Notice::title).containsExactly("Job failed");
    }

    @Test
    void aBackupsNoticeSaysWhatItReadAndWhatItsImageStores() {
        feed.jobsEnded(List.of(new JobHistory.Entry("backup-prod", "backup", "prod", JobState.DONE, "",
                "2026-12-03T01:00:00Z", "2026-12-03T01:00:03Z", 3, 128 << 20, 2048, 2048, 0, 0, "tracks",
                "46 MiB stored: 736 of 2048 tracks (all-zero tracks not stored)")));
        burstEnds();
        assertThat(shown).containsExactly(new Notice("Job ended", "backup prod DONE in 0:03, 128 MiB read, 46 MiB stored:"
                + " 736 of 2048 tracks (all-zero tracks not stored)", false));
    }

    /**
     * The notice of a restore to a snapshot read "snapshot-restore prod DONE in 0:12, ..." and of an
     * instant restore "instant-restore prod DONE ...", the engine's ids (seen by hand): the head is
     * the job's title, as in the Jobs list.
     */
    @Test
    void anEndedJobIsNamedInWordsNotByItsKindsId() {
        feed.jobsEnded(List.of(new JobHistory.Entry("snapshot-restore-prod", "snapshot-restore", "prod", JobState.DONE,
                "", "2026-12-03T01:00:00Z", "2026-12-03T01:00:12Z", 12, 22 << 20, 587, 587)));
        burstEnds();
        feed.jobsEnded(List.of(new JobHistory.Entry("instant-restore-prod", "instant-restore", "prod", JobState.DONE,
                "", "2026-12-03T01:00:00Z", "2026-12-03T01:00:10Z", 10, 96 << 20, 2048, 2048)));
        burstEnds();
        assertThat(shown).extracting(Notice::text).containsExactly(
                "restore of prod to a snapshot DONE in 0:12, 22 MiB, 587/587 tracks",
                "instant restore of prod DONE in 0:10, 96 MiB, 2048/2048 tracks");
    }

    /** A rebuild from a backup + journal runs as an instant restore's job; its notice said "instant restore of prod". */
    @Test
    void aRebuildsEndIsNoticedAsARebuild() {
        feed.jobsEnded(List.of(new JobHistory.Entry("instant-restore-prod", "instant-restore", "prod", JobState.DONE,
                "", "2026-12-03T01:00:00Z", "2026-12-03T01:00:10Z", 10, 96 << 20, 2048, 2048, 0, 0, "tracks", "",
                "rebuild of prod from image prod-20261203-0100 plus the journal")));
        burstEnds();
        assertThat(shown).extracting(Notice::text).containsExactly(
                "rebuild of prod from image prod-20261203-0100 plus the journal DONE in 0:10, 96 MiB, 2048/2048 tracks");
    }

    @Test
    void aBurstIsOneNoticeCountingEverything() {
        for (int i = 1; i <= 5; i++) {
            feed.jobsEnded(List.of(ended("p" + i, JobState.DONE)));
        }
        feed.events(List.of(Event.info("PAIR_STATE", "p1", "pair p1 split"),
                Event.critical("DRIVE_STATE", "d2", "drive d2 FAILED: read error")));
        assertThat(pending).as("one timer per burst").hasSize(1);
        burstEnds();

        assertThat(shown).singleElement().satisfies(n -> {
            assertThat(n.title()).isEqualTo("6 things happened");
            assertThat(n.critical()).isTrue();
            assertThat(n.text().lines()).hasSize(4).last().asString().isEqualTo(
                    "… and 3 more (see Jobs › History and the event log)");
        });
        feed.jobsEnded(List.of(ended("p9", JobState.FAILED), ended("p8", JobState.FAILED)));
        burstEnds();
        assertThat(shown).last().satisfies(n -> {
            assertThat(n.title()).isEqualTo("2 jobs failed");
            assertThat(n.critical()).isTrue();
            assertThat(n.text()).contains("(drive d2 failed on read)");
        });
    }

    /** The engine's critical event named a CLI verb to type; the notice names the drive bay's button. */
    @Test
    void aCriticalEventsNextStepIsTheAppsButton() {
        feed.events(List.of(Event.critical("DRIVE_STATE", "d2", "drive d2 FAILED: the image of drive d2 is missing;"
                + " the drive is FAILED: replace it ('drive replace')")));
        burstEnds();
        assertThat(shown).containsExactly(new Notice("Critical event", "drive d2 FAILED: the image of drive d2 is missing;"
                + " the drive is FAILED: replace it ('Replace drive…' in the drive bay)", true));
    }

    @Test
    void infoEventsAreNotNotices() {
        feed.events(List.of(Event.info("PAIR_STATE", "p1", "pair p1 split"), Event.warning("VERIFY", "v", "3 mismatches")));
        burstEnds();
        assertThat(shown).isEmpty();
        assertThat(pending).isEmpty();
    }
}
