package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFactory;

/**
 * 'volume read --out FILE' that stopped part-way (a range no copy could be read from) left FILE holding the
 * bytes read before the failure, and nothing said they were only part of the range: a script that checked the
 * exit code did, but one that looked for the file found one of a plausible size.
 */
class ReadOutPartialTest {

    @TempDir
    Path tmp;
    Path pool;

    @BeforeEach
    void makePool() {
        pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 4, "--drive-size", "2M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid5", "--drives", "d1,d2,d3").code()).isZero();
    }

    /** Once the pool is open, set: every drive image fails its reads past its first 256 KiB. */
    private final java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();

    /** A read of the volume's first 2 MiB stops part-way once {@link #failing} is set. */
    private StorageFactory readsFailPastTheStart() {
        return ForwardingStorage.images(f -> new ForwardingStorage.ForwardingFile(f) {
            @Override
            public void readFully(long position, ByteBuffer dst) throws IOException {
                if (failing.get() && position + dst.remaining() > (256 << 10)) {
                    throw new IOException("Input/output error");
                }
                file.readFully(position, dst);
            }
        });
    }

    /** The read, carried out by a holder whose drives fail it part-way (they are FAILED after, so its close fails). */
    private CliRun readThroughAHolderWhoseReadsFail(Path out) throws Exception {
        Holder h = new Holder(pool, readsFailPastTheStart());
        failing.set(true);
        CliRun r;
        try {
            r = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "2M", "--out", out);
        } finally {
            try {
                h.close();
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("FAILED"); // its drives, failed by the reads
            }
        }
        return r;
    }

    @Test
    void aReadThatStopsPartWayLeavesNoPartialFile() throws Exception {
        Path out = tmp.resolve("out.bin");
        CliRun r = readThroughAHolderWhoseReadsFail(out);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(CliRun.oneSentence(r)).contains(out + " was removed");
        assertThat(out).doesNotExist();
    }

    @Test
    void aFileThatWasThereBeforeIsRemovedToo() throws Exception {
        Path out = Files.write(tmp.resolve("old.bin"), new byte[] {1, 2, 3});
        CliRun r = readThroughAHolderWhoseReadsFail(out);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(out).doesNotExist();
    }

    @Test
    void anOutputThatIsNoRegularFileIsLeftInPlace() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        CliRun r = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "2M", "--out", "/dev/full");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(CliRun.oneSentence(r)).contains("/dev/full", "No space left on device").doesNotContain("removed");
        assertThat(Path.of("/dev/full")).exists();
        assertThat(Files.isRegularFile(Path.of("/dev/full"))).isFalse();
    }
}
