package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;

/**
 * The journals' watch meets an exception it did not expect (a RuntimeException from a store's read on
 * its thread): it says so and goes on, so a journal that reaches its limit later is still shipped.
 */
class JournalWatchSurvivesTest {

    @TempDir
    Path tmp;

    @Test
    void watchSurvivesAnUnexpectedExceptionAndSaysIt() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        AtomicBoolean armed = new AtomicBoolean();
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            public StorageFile openRead(Path path) throws java.io.IOException {
                if (path.getFileName().toString().equals("store.json")
                        && Thread.currentThread().getName().equals("splitpoint-journal-watch") && armed.compareAndSet(true, false)) {
                    throw new IllegalStateException("injected: a bug below the watch");
                }
                return super.openRead(path);
            }
        };
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Pool pool = Pool.open(dir, storage)) {
            pool.addListener(events::add);
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            Files.createDirectories(store);
            assertThat(pool.journals().enable("v", legs, store, 64 * 1024, 0).await(60_000)).isTrue();
            armed.set(true);
            byte[] d = new byte[128 * 1024];
            new Random(3).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d));
            pool.device("v").flush();
            assertThat(JournaledPools.said(events, "journal watch")).as("the exception is said").isTrue();
            assertThat(armed.get()).as("the watch met the exception").isFalse();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (pool.journals().status("v").entries() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pool.journals().status("v").entries()).as("the journal shipped by the watch after the exception").isZero();
        }
    }
}
