package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes that go around the page cache (O_DIRECT) and buffered ones on the same file agree: a
 * direct write over dirty cached pages, a buffered write over directly written blocks, reads in
 * between and after a reopen all see the latest bytes; only large aligned writes from
 * page-aligned buffers take the direct path.
 */
class DirectWritesTest {

    @TempDir
    Path dir;

    private static ByteBuffer aligned(byte[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length + DirectWrites.ALIGN).alignedSlice(DirectWrites.ALIGN);
        b.put(data).flip();
        return b;
    }

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] read(StorageFile f, long at, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        f.readFully(at, b);
        return b.array();
    }

    /** True when this process holds {@code path} open with O_DIRECT (Linux /proc). */
    private static boolean openDirect(Path path) throws Exception {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return false;
        }
        try (var list = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(path.toRealPath())) {
                        String info = Files.readString(Path.of("/proc/self/fdinfo").resolve(fd.getFileName()));
                        for (String line : info.split("\n")) {
                            if (line.startsWith("flags:") && (Long.parseLong(line.substring(6).trim(), 8) & 040000) != 0) {
                                return true;
                            }
                        }
                    }
                } catch (java.io.IOException gone) {
                    // a descriptor closed while listing
                }
            }
        }
        return false;
    }

    @Test
    void directAndBufferedWritesOfOneFileAgree() throws Exception {
        Path p = dir.resolve("d.img");
        Random r = new Random(3);
        byte[] model = new byte[4 << 20];
        StorageFactory real = StorageFactory.real();
        try (StorageFile f = real.create(p)) {
            f.setLength(model.length);
            // buffered: dirty cached pages
            byte[] a = random(r, 1 << 20);
            f.writeFully(0, ByteBuffer.wrap(a));
            System.arraycopy(a, 0, model, 0, a.length);
            assertThat(openDirect(p)).as("no direct descriptor before a write that qualifies").isFalse();
            // direct, over part of them
            byte[] b = random(r, 512 << 10);
            f.writeFully(256 << 10, aligned(b));
            System.arraycopy(b, 0, model, 256 << 10, b.length);
            boolean direct = openDirect(p);
            assertThat(read(f, 0, 1 << 20)).isEqualTo(java.util.Arrays.copyOf(model, 1 << 20));
            // buffered, a few bytes inside directly written blocks, then direct over them again in part
            byte[] c = random(r, 5000);
            f.writeFully(300_001, ByteBuffer.wrap(c));
            System.arraycopy(c, 0, model, 300_001, c.length);
            assertThat(read(f, 299_000, 8000)).isEqualTo(java.util.Arrays.copyOfRange(model, 299_000, 307_000));
            byte[] d = random(r, 256 << 10);
            f.writeFully(0, aligned(d));
            System.arraycopy(d, 0, model, 0, d.length);
            // not eligible: unaligned position, short, heap buffer — buffered, same result
            byte[] e = random(r, 128 << 10);
            f.writeFully(1_000_001, aligned(e));
            System.arraycopy(e, 0, model, 1_000_001, e.length);
            byte[] g = random(r, 96 << 10);
            f.writeFully(2 << 20, ByteBuffer.wrap(g));
            System.arraycopy(g, 0, model, 2 << 20, g.length);
            // a direct write past what was ever written (a hole of the sparse file)
            byte[] h = random(r, 1 << 20);
            f.writeFully(3 << 20, aligned(h));
            System.arraycopy(h, 0, model, 3 << 20, h.length);
            assertThat(read(f, 0, model.length)).isEqualTo(model);
            f.force();
            if (!"tmpfs".equals(Files.getFileStore(p).type())) {
                assertThat(direct).as("a large aligned write went around the page cache").isTrue();
            }
        }
        assertThat(Files.readAllBytes(p)).isEqualTo(model);
    }
}
