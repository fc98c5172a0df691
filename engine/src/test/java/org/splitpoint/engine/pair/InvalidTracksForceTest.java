package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * The fsync of a side's invalid-track bitmap runs outside the monitor host writes mark tracks
 * under (issue 14, pauses under fio: a split pair's every STD write marks a track, and waited for
 * the fsync of the marks the last flush saved); and a persist returns only once what it relies on
 * is forced, whoever wrote the pages.
 */
class InvalidTracksForceTest {

    @TempDir
    Path dir;

    /** Real files whose force waits for {@link #release} once {@link #hold} is set. */
    static final class HeldForces extends ForwardingStorage {
        volatile boolean hold;
        final CountDownLatch forcing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        protected StorageFile wrap(Path path, StorageFile f) {
            return new ForwardingStorage.ForwardingFile(f) {
                @Override
                public void force() throws IOException {
                    if (hold) {
                        forcing.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    file.force();
                }
            };
        }
    }

    @Test
    void marksGoOnWhileTheMarksOfAFlushAreForcedAndEveryPersistWaitsForThatForce() throws Exception {
        HeldForces storage = new HeldForces();
        Path file = dir.resolve("p.std.inv");
        InvalidTracks tracks = new InvalidTracks(DurableBitmap.create(storage, file, 1024, false));
        tracks.mark(1, 2);
        storage.hold = true;
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> persist(tracks));
        CompletableFuture<Void> second;
        try {
            assertThat(storage.forcing.await(30, TimeUnit.SECONDS)).as("the first persist forces").isTrue();
            // a second persist finds nothing unwritten, but the first's pages are not yet forced
            second = CompletableFuture.runAsync(() -> persist(tracks));
            // a host write marks a track while the force runs: not held by it
            CompletableFuture.runAsync(() -> tracks.mark(5, 6)).get(5, TimeUnit.SECONDS);
            Thread.sleep(200);
            assertThat(first).isNotDone();
            assertThat(second).as("returns only once the pages it relies on are forced").isNotDone();
        } finally {
            storage.hold = false;
            storage.release.countDown();
        }
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);
        tracks.persistMarks();
        tracks.close();
        try (DurableBitmap reread = DurableBitmap.open(StorageFactory.real(), file, 1024, true)) {
            assertThat(reread.bits().get(1)).isTrue();
            assertThat(reread.bits().get(5)).isTrue();
        }
    }

    private static void persist(InvalidTracks t) {
        try {
            t.persistMarks();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
