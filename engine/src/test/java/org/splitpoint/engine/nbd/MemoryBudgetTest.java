package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The buffer budget: shares, total, arrival order, the bounded wait, and abort. */
class MemoryBudgetTest {

    private static final long MS = 1_000_000L;

    private static CompletableFuture<MemoryBudget.Grant> admitLater(MemoryBudget.Account a, long bytes, long waitMillis) {
        // a thread each: the common pool may have a single thread, and these block
        return CompletableFuture.supplyAsync(() -> a.admit(bytes, waitMillis * MS), r -> new Thread(r).start());
    }

    @Test
    @Timeout(20)
    void aConnectionAtItsShareWaitsForItsOwnRepliesAsLongAsItTakes() throws Exception {
        MemoryBudget b = new MemoryBudget(100, 10, 64);
        MemoryBudget.Account a = b.open();
        assertThat(a.admit(8, 0)).isEqualTo(MemoryBudget.Grant.GRANTED);
        CompletableFuture<MemoryBudget.Grant> next = admitLater(a, 8, 50);
        Thread.sleep(300); // far past its 50 ms wait: waiting for its own share has no limit
        assertThat(next).isNotDone();
        a.release(8);
        a.finish();
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(MemoryBudget.Grant.GRANTED);
        assertThat(b.used()).isEqualTo(8);
    }

    @Test
    @Timeout(20)
    void roomAmongTheOthersIsWaitedForABoundedTimeThenNoMemory() throws Exception {
        MemoryBudget b = new MemoryBudget(20, 10, 64);
        MemoryBudget.Account x = b.open();
        MemoryBudget.Account y = b.open();
        MemoryBudget.Account z = b.open();
        assertThat(x.admit(10, 0)).isEqualTo(MemoryBudget.Grant.GRANTED);
        assertThat(y.admit(10, 0)).isEqualTo(MemoryBudget.Grant.GRANTED);
        long t0 = System.nanoTime();
        assertThat(z.admit(1, 200 * MS)).isEqualTo(MemoryBudget.Grant.NO_MEMORY);
        assertThat((System.nanoTime() - t0) / MS).isBetween(150L, 5000L);
        assertThat(z.requests()).as("the ENOMEM answer still takes a slot").isEqualTo(1);
        z.finish();
        CompletableFuture<MemoryBudget.Grant> later = admitLater(z, 1, 5000);
        Thread.sleep(100);
        x.release(10);
        assertThat(later.get(5, TimeUnit.SECONDS)).isEqualTo(MemoryBudget.Grant.GRANTED);
    }

    @Test
    @Timeout(20)
    void requestsGetRoomInArrivalOrderSoASmallOneIsNotPassedOverForever() throws Exception {
        MemoryBudget b = new MemoryBudget(10, 10, 64);
        MemoryBudget.Account holder = b.open();
        MemoryBudget.Account big = b.open();
        MemoryBudget.Account small = b.open();
        assertThat(holder.admit(9, 0)).isEqualTo(MemoryBudget.Grant.GRANTED);
        CompletableFuture<MemoryBudget.Grant> bigWaits = admitLater(big, 8, 5000);
        Thread.sleep(100);
        CompletableFuture<MemoryBudget.Grant> smallWaits = admitLater(small, 1, 5000);
        Thread.sleep(100);
        // 1 byte is free: the small one would fit, but the big one came first
        assertThat(smallWaits).isNotDone();
        holder.release(9);
        assertThat(bigWaits.get(5, TimeUnit.SECONDS)).isEqualTo(MemoryBudget.Grant.GRANTED);
        assertThat(smallWaits.get(5, TimeUnit.SECONDS)).isEqualTo(MemoryBudget.Grant.GRANTED);
    }

    @Test
    @Timeout(20)
    void aLoneRequestLargerThanTheSharesStillRuns() {
        MemoryBudget b = new MemoryBudget(10, 5, 64);
        assertThat(b.open().admit(32, 0)).isEqualTo(MemoryBudget.Grant.GRANTED);
        assertThat(b.used()).isEqualTo(32);
    }

    @Test
    @Timeout(20)
    void aConnectionWithItsMaximumUnrepliedWaitsUntilOneIsAnswered() throws Exception {
        MemoryBudget b = new MemoryBudget(100, 100, 2);
        MemoryBudget.Account a = b.open();
        a.admit(0, 0);
        a.admit(0, 0);
        CompletableFuture<MemoryBudget.Grant> third = admitLater(a, 0, 0);
        Thread.sleep(200);
        assertThat(third).isNotDone();
        a.finish();
        assertThat(third.get(5, TimeUnit.SECONDS)).isEqualTo(MemoryBudget.Grant.GRANTED);
    }

    @Test
    @Timeout(20)
    void abortWakesAWaiterAndCloseGivesEverythingBack() throws Exception {
        MemoryBudget b = new MemoryBudget(10, 10, 64);
        MemoryBudget.Account a = b.open();
        MemoryBudget.Account c = b.open();
        assertThat(a.admit(10, 0)).isEqualTo(MemoryBudget.Grant.GRANTED);
        CompletableFuture<MemoryBudget.Grant> waiting = admitLater(c, 5, 60_000);
        Thread.sleep(100);
        c.abort();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(MemoryBudget.Grant.ABORTED);
        assertThat(c.requests()).isZero();
        a.close();
        assertThat(b.used()).isZero();
        a.release(10); // a late release after close changes nothing
        assertThat(b.used()).isZero();
    }

    /** Bulk connections share the total less the reserve; one holding little passes them and takes the reserve. */
    @Test
    @Timeout(20)
    void aConnectionHoldingLittleUsesTheReserveAndPassesTheQueue() throws Exception {
        MemoryBudget b = new MemoryBudget(100, 40, 64, 25, 5);
        MemoryBudget.Account x = b.open();
        MemoryBudget.Account y = b.open();
        MemoryBudget.Account quiet = b.open();
        assertThat(x.admit(40, 0)).isEqualTo(MemoryBudget.Grant.GRANTED);
        assertThat(y.admit(30, 0)).isEqualTo(MemoryBudget.Grant.GRANTED); // 70 of the bulk's 75
        MemoryBudget.Account z = b.open();
        CompletableFuture<MemoryBudget.Grant> bulkWaits = admitLater(z, 10, 5000);
        Thread.sleep(100);
        assertThat(bulkWaits).as("80 > 75: the reserve is not the bulk's").isNotDone();
        assertThat(quiet.admit(5, 0)).as("past the one waiting, into the reserve").isEqualTo(MemoryBudget.Grant.GRANTED);
        assertThat(b.used()).isEqualTo(75);
        long t0 = System.nanoTime();
        assertThat(quiet.admit(1, 100 * MS)).as("holding 6: no more a quiet connection").isEqualTo(
                MemoryBudget.Grant.NO_MEMORY);
        assertThat((System.nanoTime() - t0) / MS).isGreaterThanOrEqualTo(80L);
        x.release(40);
        assertThat(bulkWaits.get(5, TimeUnit.SECONDS)).isEqualTo(MemoryBudget.Grant.GRANTED);
    }
}
