package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * The write-behind thread of an instant restore (it puts the tracks fetched for reads on the volume)
 * killed by an Error (out of memory, say) is said, and reads write the tracks they fetch themselves
 * from then on. Before, nothing was said and the tracks read went on being queued for a thread that
 * was gone: they stayed owed and held in memory (up to 64 MiB) until the bulk copy came to them.
 */
class RestoreWriteBehindErrorTest {

    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aWriteBehindThreadKilledByAnErrorIsSaidAndReadsWriteTheirTracksThemselves() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 64L * TRACK, TRACK);
        Path store = tmp.resolve("store");
        byte[] image = BackedUp.volume(dir, store, 41, true); // backed up, then overwritten
        AtomicBoolean armed = new AtomicBoolean(true);
        ForwardingStorage storage = ForwardingStorage.images(f -> new ForwardingStorage.ForwardingFile(f) {
            @Override
            public void writeFully(long position, ByteBuffer src) throws IOException {
                if (Thread.currentThread().getName().startsWith("splitpoint-restore-writeback") && armed.getAndSet(false)) {
                    throw new OutOfMemoryError("injected in the write-behind thread");
                }
                super.writeFully(position, src);
            }
        });
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Pool pool = Pool.open(dir, storage, new PoolOptions(false))) { // the bulk copy does not run
            pool.events().addListener(events::add);
            pool.instantRestores().restore("v", store, null, false, 0);
            InstantRestore r = pool.instantRestores().restoreOf("v");
            BlockDevice v = pool.device("v");
            byte[] one = new byte[1];
            v.read(3L * TRACK + 5, ByteBuffer.wrap(one)); // queued for the write-behind thread, which dies writing it
            assertThat(one[0]).isEqualTo(image[3 * TRACK + 5]);
            long until = System.nanoTime() + 10_000_000_000L;
            while (events.stream().noneMatch(RestoreWriteBehindErrorTest::writeBehindStopped) && System.nanoTime() < until) {
                Thread.sleep(10); // polls for the event, which the thread publishes as it ends
                pool.events().drain();
            }
            assertThat(armed.get()).as("the Error was thrown in the write-behind thread").isFalse();
            Event said = events.stream().filter(RestoreWriteBehindErrorTest::writeBehindStopped).findFirst()
                    .orElseThrow(() -> new AssertionError("the write-behind thread's end is not said"));
            assertThat(said.severity()).isEqualTo(Severity.WARNING);
            assertThat(said.message()).contains("instant restore of v", "OutOfMemoryError");
            v.read(9L * TRACK + 7, ByteBuffer.wrap(one));
            assertThat(one[0]).isEqualTo(image[9 * TRACK + 7]);
            assertThat(r.owedTracks().get(9)).as("a track read after it is written by the read").isFalse();
            assertThat(r.owedTracks().get(3)).as("the track whose write died stays owed").isTrue();
            assertThat(r.writeBehindBytes()).as("nothing held for a thread that is gone").isZero();
            ByteBuffer all = ByteBuffer.allocate(image.length);
            v.read(0, all);
            TestPools.assertSameBytes(all.array(), image, "the volume as hosts read it");
        }
    }

    private static boolean writeBehindStopped(Event e) {
        return "RESTORE".equals(e.type()) && e.message() != null && e.message().contains("write-behind");
    }
}
