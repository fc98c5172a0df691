package org.splitpoint.engine.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A force of the ring that fails (a writeback error: Linux drops the pages it could not write and
 * marks them clean, and the next fsync succeeds without them) may take the entries written since
 * the last good force with it. Reading back stops at the first entry that is not where it should
 * be, so an entry lost that way must neither be taken for durable by a later force nor hide the
 * entries written after it.
 */
class RingLogForceFailureTest {

    private static final long CAPACITY = RingLog.DATA + 256 * 1024;

    @TempDir
    Path dir;

    private static byte[] filled(int len, int value) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private FaultInjector injector() {
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1).unforcedWritesLost();
    }

    /** A ring in a new file (its name synced into the directory) whose epoch is begun. */
    private RingLog begun(FaultInjector inj, Path f) throws IOException {
        RingLog log = new RingLog(inj.create(f), CAPACITY, 0x11111111, 0x22222222);
        inj.syncDirectory(dir);
        log.begin();
        return log;
    }

    /** The next force of {@code f} fails (its unforced writes lost), and {@code force} meets it. */
    private static void failingForce(FaultInjector inj, Path f, ForceCall force) {
        inj.failForces(p -> p.equals(f), 1);
        try {
            force.run();
            throw new AssertionError("the force was made to fail");
        } catch (IOException expected) {
            // the writer was told its force failed
        }
    }

    private interface ForceCall {
        void run() throws IOException;
    }

    private List<RingLog.Entry> readBackAfterCrash(FaultInjector inj, Path f) throws IOException {
        inj.cutNow();
        inj.crash();
        RingLog again = new RingLog(StorageFactory.real().open(f), CAPACITY, 0x11111111, 0x22222222);
        try {
            return again.readLive();
        } finally {
            again.close();
        }
    }

    /** An entry forced after an earlier entry's force failed is read back after a power cut. */
    @Test
    void anEntryForcedAfterAFailedForceIsNotHiddenByTheEntryThatForceLost() throws Exception {
        Path f = dir.resolve("log");
        FaultInjector inj = injector();
        RingLog log = begun(inj, f);
        long lost = log.append(filled(5000, 1));
        failingForce(inj, f, () -> log.forceEntry(lost));
        long acknowledged = log.append(filled(5000, 2));
        log.forceEntry(acknowledged); // returns: the owner relies on entry 'acknowledged' from now on
        List<RingLog.Entry> back = readBackAfterCrash(inj, f);
        assertThat(back).as("entries read back after the power cut").extracting(RingLog.Entry::seq).contains(acknowledged);
        assertThat(back.stream().filter(e -> e.seq() == acknowledged).findFirst().orElseThrow().payload())
                .isEqualTo(filled(5000, 2));
    }

    /**
     * Two entries written before a force that failed: a later force of the second must not return
     * as though it were durable (the failed force took its bytes, the next one writes nothing).
     */
    @Test
    void anEntryAFailedForceCoveredIsNeverReportedDurable() throws Exception {
        Path f = dir.resolve("log");
        FaultInjector inj = injector();
        RingLog log = begun(inj, f);
        long first = log.append(filled(5000, 1));
        long second = log.append(filled(5000, 2)); // a group commit: one force for both
        failingForce(inj, f, () -> log.forceEntry(first)); // the first writer's force
        boolean reportedDurable;
        try {
            log.forceEntry(second); // the second writer, which had waited for the shared force
            reportedDurable = true;
        } catch (IOException e) {
            reportedDurable = false;
        }
        List<RingLog.Entry> back = readBackAfterCrash(inj, f);
        if (reportedDurable) {
            assertThat(back).as("entry %d was reported durable", second).extracting(RingLog.Entry::seq).contains(second);
        }
    }

    /** A log whose forces are all one owner's (a service window's): force() keeps failing while an entry it lost is live. */
    @Test
    void aLogThatLostALiveEntryKeepsFailingItsForces() throws Exception {
        Path f = dir.resolve("log");
        FaultInjector inj = injector();
        RingLog log = begun(inj, f);
        log.append(filled(5000, 1));
        failingForce(inj, f, log::force);
        long later = log.append(filled(5000, 2));
        boolean acknowledged;
        try {
            log.force();
            acknowledged = true;
        } catch (IOException e) {
            acknowledged = false;
        }
        List<RingLog.Entry> back = readBackAfterCrash(inj, f);
        if (acknowledged) {
            assertThat(back).as("every entry force() acknowledged").hasSize(2);
        }
        assertThat(back).as("entries read back are whole and in order").allSatisfy(e -> assertThat(e.seq()).isLessThanOrEqualTo(later));
    }

    /**
     * A host's flush (forceEntry) beside a window's force() that fails: Linux gives the writeback
     * error to one fsync only, and the other may return success first, having written nothing (the
     * failed force dropped the pages). Such a success must wait for the failing force's error before
     * it says the entry is durable (found by h128's review of the forced marks).
     */
    @Test
    void aForceThatSucceedsBesideAFailingOneIsNotTakenForDurableBeforeThatOneEnds() throws Exception {
        Path f = dir.resolve("log");
        FaultInjector inj = injector();
        RingLog log = begun(inj, f);
        long entry = log.append(filled(5000, 1));
        inj.failForces(p -> p.equals(f), 1);
        inj.hold(FaultInjector.Op.FORCE_FAILED, p -> p.equals(f), t -> true, 1500); // its error comes back late
        Thread failing = new Thread(() -> {
            try {
                log.force();
            } catch (IOException expected) {
                // the window's owner is told
            }
        });
        failing.start();
        inj.awaitHeld(1);
        boolean reportedDurable;
        try {
            log.forceEntry(entry); // a host's flush, its fsync succeeding at once
            reportedDurable = true;
        } catch (IOException e) {
            reportedDurable = false;
        }
        failing.join();
        List<RingLog.Entry> back = readBackAfterCrash(inj, f);
        if (reportedDurable) {
            assertThat(back).as("entry %d was reported durable", entry).extracting(RingLog.Entry::seq).contains(entry);
        }
    }

    /** As above with two force() calls side by side (a service window's log: every host flush forces it so). */
    @Test
    void aForceBesideAFailingForceIsNotTakenForDurableBeforeThatOneEnds() throws Exception {
        Path f = dir.resolve("log");
        FaultInjector inj = injector();
        RingLog log = begun(inj, f);
        long entry = log.append(filled(5000, 1));
        inj.failForces(p -> p.equals(f), 1);
        inj.hold(FaultInjector.Op.FORCE_FAILED, p -> p.equals(f), t -> true, 1500);
        Thread failing = new Thread(() -> {
            try {
                log.force();
            } catch (IOException expected) {
                // that flush is told
            }
        });
        failing.start();
        inj.awaitHeld(1);
        boolean reportedDurable;
        try {
            log.force(); // another host's flush
            reportedDurable = true;
        } catch (IOException e) {
            reportedDurable = false;
        }
        failing.join();
        List<RingLog.Entry> back = readBackAfterCrash(inj, f);
        if (reportedDurable) {
            assertThat(back).as("entry %d was reported durable", entry).extracting(RingLog.Entry::seq).contains(entry);
        }
    }

    /**
     * The window's end forces its log without waiting for a host's flush held in its own fsync
     * (FlushAtWindowEndTest), but what it forced is not durable for a later flush before that one
     * ended: the held one fails (it took the error), and the entry is lost.
     */
    @Test
    void aForceLettingGoDoesNotWaitAndMakesNothingDurableBeforeTheForcesBesideItEnd() throws Exception {
        Path f = dir.resolve("log");
        FaultInjector inj = injector();
        RingLog log = begun(inj, f);
        long entry = log.append(filled(5000, 1));
        inj.failForces(p -> p.equals(f), 1);
        Runnable release = inj.holdReleasable(FaultInjector.Op.FORCE_FAILED, p -> p.equals(f), t -> true, 30_000);
        Thread failing = new Thread(() -> {
            try {
                log.force();
            } catch (IOException expected) {
                // the host's flush is told
            }
        });
        failing.start();
        inj.awaitHeld(1);
        long t0 = System.nanoTime();
        log.forceLettingGo(); // the window's end: its fsync succeeds, having written nothing
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms the end's force took beside a held flush").isLessThan(10_000);
        java.util.concurrent.atomic.AtomicReference<Object> later = new java.util.concurrent.atomic.AtomicReference<>();
        Thread flush = new Thread(() -> {
            try {
                log.forceEntry(entry); // a host's flush after the end's force
                later.set("durable");
            } catch (IOException e) {
                later.set(e);
            }
        });
        flush.start();
        flush.join(300);
        assertThat(later.get()).as("a flush's answer while the failing force is still out").isNull();
        release.run();
        flush.join(10_000);
        failing.join(10_000);
        assertThat(later.get()).as("the later flush of the entry the failing force dropped").isInstanceOf(IOException.class);
        List<RingLog.Entry> back = readBackAfterCrash(inj, f);
        assertThat(back).as("the entry is gone indeed").extracting(RingLog.Entry::seq).doesNotContain(entry);
    }

    /** A force letting go beside one held that succeeds: its success counts once that one ended. */
    @Test
    void aForceLettingGoCountsOnceTheForceBesideItEndedWell() throws Exception {
        Path f = dir.resolve("log");
        FaultInjector inj = injector();
        RingLog log = begun(inj, f);
        long entry = log.append(filled(5000, 1));
        Runnable release = inj.holdReleasable(FaultInjector.Op.ANY, p -> p.equals(f),
                t -> t.getName().equals("held-flush"), 30_000);
        java.util.concurrent.atomic.AtomicReference<Throwable> heldOutcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread held = new Thread(() -> {
            try {
                log.force();
            } catch (Throwable e) {
                heldOutcome.set(e);
            }
        }, "held-flush");
        held.start();
        inj.awaitHeld(1);
        log.forceLettingGo();
        release.run();
        held.join(10_000);
        assertThat(heldOutcome.get()).as("the held flush").isNull();
        log.forceEntry(entry); // durable now: confirmed once the held one ended well
        List<RingLog.Entry> back = readBackAfterCrash(inj, f);
        assertThat(back).extracting(RingLog.Entry::seq).contains(entry);
    }

    /**
     * A header a failed force may have taken is written again and forced before the next header
     * goes to the other slot (that slot may hold the only durable one). When a force() beside it is
     * still out, that rewrite's success is not yet confirmed: the retire waits for it (releasing the
     * monitor, so the other force can tell how it ended) rather than overwrite the other slot, and
     * goes on once it ended well; no deadlock with the force lock it holds.
     */
    @Test
    void aRetireAfterALostHeaderWaitsForTheForceBesideItBeforeItOverwritesTheOtherSlot() throws Exception {
        Path f = dir.resolve("log");
        FaultInjector inj = injector();
        RingLog log = begun(inj, f);
        long first = log.append(filled(5000, 1));
        log.forceEntry(first);
        failingForce(inj, f, () -> log.retire(first + 1)); // its header may be gone
        long second = log.append(filled(5000, 2));
        Runnable release = inj.holdReleasable(FaultInjector.Op.ANY, p -> p.equals(f),
                t -> t.getName().equals("held-flush"), 30_000);
        java.util.concurrent.atomic.AtomicReference<Throwable> heldOutcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread held = new Thread(() -> {
            try {
                log.force();
            } catch (Throwable e) {
                heldOutcome.set(e);
            }
        }, "held-flush");
        held.start();
        inj.awaitHeld(1);
        java.util.concurrent.atomic.AtomicReference<Object> retired = new java.util.concurrent.atomic.AtomicReference<>();
        Thread retirer = new Thread(() -> {
            try {
                log.retire(second + 1);
                retired.set("done");
            } catch (Throwable e) {
                retired.set(e);
            }
        });
        retirer.start();
        retirer.join(300);
        assertThat(retired.get()).as("the retire while the force beside it is out").isNull();
        release.run();
        retirer.join(10_000);
        held.join(10_000);
        assertThat(heldOutcome.get()).as("the held force").isNull();
        assertThat(retired.get()).as("the retire once it ended well").isEqualTo("done");
        assertThat(readBackAfterCrash(inj, f)).as("nothing live after the retire").isEmpty();
    }
}
