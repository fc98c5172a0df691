package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RangeLocksTest {

    @Test
    void tryLockGivesUpAtOnceWhileAnotherThreadHoldsAnyPartAndTakesNothing() throws Exception {
        RangeLocks locks = new RangeLocks(1);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try (RangeLocks.Held h = locks.lock(5, 6)) {
                held.countDown();
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        held.await();
        assertThat(locks.tryLock(5, 6)).as("held by the other thread").isNull();
        assertThat(locks.tryLock(3, 8)).as("a range over it").isNull();
        // the range's other locks were given back: another thread can take them
        AtomicReference<Boolean> free = new AtomicReference<>();
        Thread third = new Thread(() -> {
            RangeLocks.Held h = locks.tryLock(3, 5);
            free.set(h != null);
            if (h != null) {
                h.close();
            }
        });
        third.start();
        third.join();
        assertThat(free.get()).isTrue();
        done.countDown();
        other.join();
        try (RangeLocks.Held h = locks.tryLock(3, 8)) {
            assertThat(h).as("free again").isNotNull();
        }
    }
}
