package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A large mirror write goes to its members at once (issue 14, NBD write raid1 vs nbdkit): one after
 * the other, each host write took the time of two device writes. Here d1's write of a large request
 * waits until d2's has begun: written one after the other, d2's would never begin and the write would
 * time out; small writes stay on the caller's thread.
 */
class MirrorParallelWriteTest {

    @TempDir
    Path dir;

    /** d1's large writes wait for a large write on d2 to begin. */
    static final class Rendezvous extends ForwardingStorage {
        volatile CountDownLatch d2Began = new CountDownLatch(1);
        volatile boolean d1Waited;

        @Override
        protected StorageFile wrap(Path path, StorageFile file) {
            String name = path.getFileName().toString();
            if (!name.equals("d1.img") && !name.equals("d2.img")) {
                return file;
            }
            return new ForwardingFile(file) {
                @Override
                public void writeFully(long position, ByteBuffer src) throws IOException {
                    if (src.remaining() >= MirrorVolume.PARALLEL_WRITE) {
                        if (name.equals("d2.img")) {
                            d2Began.countDown();
                        } else {
                            try {
                                d1Waited = d2Began.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                throw new IOException(e);
                            }
                        }
                    }
                    super.writeFully(position, src);
                }
            };
        }
    }

    @Test
    void aLargeWriteGoesToBothMirrorsAtOnceAndReadsBackFromEach() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 4 << 20, 65536);
        Rendezvous storage = new Rendezvous();
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        try (Pool pool = Pool.open(dir, storage)) {
            MirrorVolume v = (MirrorVolume) pool.volume("v");
            v.write(65536, ByteBuffer.wrap(data));
            assertThat(storage.d1Waited).as("d2's write began while d1's was under way").isTrue();
            for (Member member : v.members()) {
                ByteBuffer got = ByteBuffer.allocate(data.length);
                member.read(65536, got);
                assertThat(got.array()).as("bytes on %s", member.drive()).isEqualTo(data);
            }
        }
    }
}
