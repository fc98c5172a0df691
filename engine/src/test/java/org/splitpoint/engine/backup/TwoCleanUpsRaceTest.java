package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;

/**
 * Review 41. deleteIfAbandoned (and ImageWriter.abandon) remove the image's files, writer.lock among
 * them, while the directory still stands, then rmdir it. Once writer.lock is unlinked, a second
 * clean-up of the same leftover (another pool's backup of a volume of the same name into the same
 * store, a journal ship, 'backup delete', in this process or another) creates a fresh writer.lock
 * there, finds it free and takes it; the first one's rmdir then fails (DirectoryNotEmptyException),
 * and that backup start fails. The interleaving is pinned with hooks on the store's deletes.
 */
class TwoCleanUpsRaceTest {

    @TempDir
    Path tmp;

    @Test
    void twoCleanUpsOfOneLeftoverBothSucceed() throws Exception {
        CountDownLatch firstUnlinkedLock = new CountDownLatch(1);
        CountDownLatch secondLocked = new CountDownLatch(1);
        CountDownLatch firstDone = new CountDownLatch(1);
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            public void delete(Path path) throws IOException {
                String t = Thread.currentThread().getName();
                if (t.equals("second") && path.getFileName().toString().equals("manifest.json")) {
                    secondLocked.countDown(); // it holds its (fresh) writer.lock now
                    await(firstDone);
                }
                super.delete(path);
                if (t.equals("first") && path.getFileName().toString().equals(DirectoryStore.WRITER_LOCK)) {
                    firstUnlinkedLock.countDown();
                    await(secondLocked);
                }
            }
        };
        DirectoryStore store = DirectoryStore.open(tmp.resolve("store"), storage, true);
        ImageInfo header = new ImageInfo("v-20250101-000000-abcd-full", store.uuid(), "v", 1 << 20, 4096,
                java.time.Instant.now().toString(), null, ImageInfo.Kind.FULL, 0, 0, null, null);
        store.create(header).close(); // a stopped backup's leftover

        CompletableFuture<Object> first = run("first", store, header.id(), firstDone);
        assertThat(firstUnlinkedLock.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Object> second = run("second", store, header.id(), null);
        Object a = first.get(20, TimeUnit.SECONDS);
        Object b = second.get(20, TimeUnit.SECONDS);
        assertThat(a).as("the first clean-up").isNotInstanceOf(Exception.class);
        assertThat(b).as("the second clean-up").isNotInstanceOf(Exception.class);
        assertThat(store.unfinished()).isEmpty();
    }

    private static CompletableFuture<Object> run(String name, DirectoryStore store, String id, CountDownLatch done) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(store.deleteIfAbandoned(id));
            } catch (Exception e) {
                f.complete(e);
            } finally {
                if (done != null) {
                    done.countDown();
                }
            }
        }, name);
        t.start();
        return f;
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
