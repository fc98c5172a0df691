package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.io.StorageFactory;

/**
 * Review 41, the same defect as LockTextWriteFailureTest on a real full file system: run with
 * -Dreview41.smallFs=DIR naming an empty directory on a small file system of its own (e.g. a 256 KiB
 * tmpfs); skipped otherwise. An image created in a full store fails at its writer.lock's text and
 * leaves the lock held by a lost channel: once space is freed the leftover can neither be removed
 * (deleteIfAbandoned, the next backup's clean-up) nor asked about (writer: backup list / delete
 * throw OverlappingFileLockException) in this process.
 */
class FullStoreWriterLockTest {

    @Test
    void anImageRefusedByAFullStoreIsALeftoverTheSameProcessCanRemove() throws Exception {
        String where = System.getProperty("review41.smallFs");
        Assumptions.assumeTrue(where != null, "needs -Dreview41.smallFs");
        Path root = Path.of(where);
        DirectoryStore store = DirectoryStore.open(root.resolve("store"), StorageFactory.real(), true);
        Path filler = root.resolve("filler");
        try (OutputStream o = Files.newOutputStream(filler)) {
            byte[] mb = new byte[4096];
            while (true) {
                o.write(mb);
                o.flush();
            }
        } catch (IOException e) {
            // the file system is full
        }
        ImageInfo header = new ImageInfo("v-20250101-000000-abcd-full", store.uuid(), "v", 1 << 20, 4096,
                java.time.Instant.now().toString(), null, ImageInfo.Kind.FULL, 0, 0, null, null);
        assertThatThrownBy(() -> store.create(header)).isInstanceOf(IOException.class)
                .hasMessageContaining("No space left on device");
        Files.delete(filler);

        assertThat(store.unfinished()).containsExactly(header.id());
        assertThat(store.writer(header.id())).as("nobody writes it").isNull();
        assertThat(store.deleteIfAbandoned(header.id())).as("a leftover: removed").isTrue();
    }
}
