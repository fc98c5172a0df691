package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The injector's pages that a failed force dropped but kept cached ({@link
 * FaultInjector#failedForcesKeepPagesCached}) are read only until a later write replaces them and
 * is forced: as in Linux's page cache, where the later write changes the page itself. They were
 * read over it for good, so a volume that wrote a member's rows again after a failed flush read the
 * dropped bytes back instead of the ones it wrote and forced (NbdCutAgainTest with force failures
 * took it for a lost acknowledged write).
 */
class FaultInjectorDroppedPagesTest {

    @TempDir
    Path dir;

    @Test
    void aLaterWriteForcedReplacesTheDroppedBytesItCoversAndOnlyThose() throws Exception {
        Path p = dir.resolve("f.img");
        Files.write(p, new byte[128]);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost()
                .failedForcesKeepPagesCached();
        try (StorageFile f = inj.open(p)) {
            f.writeFully(0, ByteBuffer.wrap(filled(64, 1)));
            inj.failForces(x -> true, 1);
            assertThatThrownBy(f::force).hasMessageContaining("injected");
            assertThat(read(f, 0, 64)).as("dropped, still cached").isEqualTo(filled(64, 1));
            f.writeFully(16, ByteBuffer.wrap(filled(16, 2)));
            f.force();
            byte[] got = read(f, 0, 64);
            assertThat(slice(got, 16, 32)).as("the later write, forced").isEqualTo(filled(16, 2));
            assertThat(slice(got, 0, 16)).as("dropped bytes it did not cover, still cached").isEqualTo(filled(16, 1));
            assertThat(slice(got, 32, 64)).as("dropped bytes it did not cover, still cached").isEqualTo(filled(32, 1));
        }
        inj.crash();
        byte[] disk = Files.readAllBytes(p);
        assertThat(slice(disk, 16, 32)).as("forced").isEqualTo(filled(16, 2));
        assertThat(slice(disk, 0, 16)).as("dropped: lost at the crash").isEqualTo(new byte[16]);
        assertThat(slice(disk, 32, 64)).as("dropped: lost at the crash").isEqualTo(new byte[32]);
    }

    private static byte[] read(StorageFile f, long at, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        f.readFully(at, b);
        return b.array();
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }
}
