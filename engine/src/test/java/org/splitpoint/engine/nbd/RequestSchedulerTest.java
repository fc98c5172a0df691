package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared workers take pieces from the connections' lanes in turn, and never die of a job. */
class RequestSchedulerTest {

    /** A job of {@code pieces} pieces that records "name+piece" as each runs, after {@code gate} opens. */
    private static RequestScheduler.Job job(String name, int pieces, List<String> ran, CountDownLatch gate) {
        return new RequestScheduler.Job() {
            @Override
            public int pieces() {
                return pieces;
            }

            @Override
            public void run(int piece) {
                ran.add(name + piece);
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void crashed(int piece, Throwable t) {
                ran.add(name + piece + "!");
            }
        };
    }

    private static void awaitSize(List<?> l, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (l.size() < n && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(l).hasSizeGreaterThanOrEqualTo(n);
    }

    @Test
    @Timeout(20)
    void aQuietLaneIsServedAfterOnePieceOfABusyOneNotAfterAllOfIt() throws Exception {
        try (RequestScheduler s = new RequestScheduler(1, 1, m -> { })) {
            List<String> ran = new CopyOnWriteArrayList<>();
            CountDownLatch first = new CountDownLatch(1);
            s.lane().submit(job("a", 1, ran, first)); // holds the only worker
            awaitSize(ran, 1);
            CountDownLatch open = new CountDownLatch(0);
            RequestScheduler.Lane busy = s.lane();
            busy.submit(job("b", 50, ran, open));
            s.lane().submit(job("q", 1, ran, open));
            first.countDown();
            awaitSize(ran, 52);
            assertThat(ran.subList(0, 4)).containsExactly("a0", "b0", "q0", "b1");
        }
    }

    @Test
    @Timeout(20)
    void aConnectionsOwnSmallRequestIsNotStuckBehindItsHugeOne() throws Exception {
        try (RequestScheduler s = new RequestScheduler(1, 1, m -> { })) {
            List<String> ran = new CopyOnWriteArrayList<>();
            CountDownLatch first = new CountDownLatch(1);
            RequestScheduler.Lane lane = s.lane();
            lane.submit(job("h", 30, ran, first));
            awaitSize(ran, 1);
            CountDownLatch open = new CountDownLatch(0);
            lane.submit(job("s", 1, ran, open));
            first.countDown();
            awaitSize(ran, 31);
            assertThat(ran.indexOf("s0")).as("the small job's turn, in " + ran).isLessThanOrEqualTo(2);
        }
    }

    @Test
    @Timeout(20)
    void aLaneRunsAtMostItsShareOfTheWorkersSoOthersFindOneFree() throws Exception {
        try (RequestScheduler s = new RequestScheduler(4, 2, m -> { })) {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            s.lane().submit(new RequestScheduler.Job() {
                @Override
                public int pieces() {
                    return 10;
                }

                @Override
                public void run(int piece) {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                }

                @Override
                public void crashed(int piece, Throwable t) {
                }
            });
            Thread.sleep(200);
            CountDownLatch quietRan = new CountDownLatch(1);
            List<String> ran = new CopyOnWriteArrayList<>();
            s.lane().submit(new RequestScheduler.Job() {
                @Override
                public int pieces() {
                    return 1;
                }

                @Override
                public void run(int piece) {
                    ran.add("q");
                    quietRan.countDown();
                }

                @Override
                public void crashed(int piece, Throwable t) {
                }
            });
            assertThat(quietRan.await(5, TimeUnit.SECONDS)).as("another lane runs while the first is blocked").isTrue();
            assertThat(most.get()).isEqualTo(2);
            release.countDown();
        }
    }

    @Test
    @Timeout(20)
    void aJobThatThrowsIsToldAndTheWorkerGoesOn() throws Exception {
        try (RequestScheduler s = new RequestScheduler(1, 1, m -> { })) {
            List<String> ran = new CopyOnWriteArrayList<>();
            s.lane().submit(new RequestScheduler.Job() {
                @Override
                public int pieces() {
                    return 2;
                }

                @Override
                public void run(int piece) {
                    throw new OutOfMemoryError("Direct buffer memory");
                }

                @Override
                public void crashed(int piece, Throwable t) {
                    ran.add("crashed" + piece + ": " + t.getMessage());
                }
            });
            s.lane().submit(job("next", 1, ran, new CountDownLatch(0)));
            awaitSize(ran, 3);
            assertThat(ran).containsExactlyInAnyOrder("crashed0: Direct buffer memory", "crashed1: Direct buffer memory", "next0");
        }
    }
}
