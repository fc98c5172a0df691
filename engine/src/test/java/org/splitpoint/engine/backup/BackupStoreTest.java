package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

/** The directory store: images written, sealed, listed, read, verified; damage is found and named. */
class BackupStoreTest {

    private static final int TRACK = 4096;
    private static final long SIZE = 64L * TRACK;

    @TempDir
    Path dir;

    private DirectoryStore store() throws Exception {
        return DirectoryStore.open(dir.resolve("store"), StorageFactory.real(), true);
    }

    private static ImageInfo header(DirectoryStore s, String id, String parent) {
        return new ImageInfo(id, s.uuid(), "v", SIZE, TRACK, java.time.Instant.now().toString(), parent,
                parent == null ? ImageInfo.Kind.FULL : ImageInfo.Kind.INCREMENTAL, 0, 0, null, null);
    }

    private static byte[] track(int seed) {
        byte[] b = new byte[TRACK];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A full image holding tracks 3, 5 and 9 (the others read as zeros). */
    private ImageInfo fullImage(DirectoryStore s) throws Exception {
        try (ImageWriter w = s.create(header(s, "v-full", null))) {
            for (int t : new int[] {3, 5, 9}) {
                w.putTrack(t, track(t), TRACK);
            }
            return w.seal();
        }
    }

    @Test
    void aSealedImageIsListedReadAndVerified() throws Exception {
        DirectoryStore s = store();
        ImageInfo i = fullImage(s);
        assertThat(i.tracks()).isEqualTo(3);
        assertThat(i.dataBytes()).isEqualTo(3L * TRACK);
        assertThat(s.list()).extracting(ImageInfo::id).containsExactly("v-full");
        try (ImageReader r = s.open("v-full")) {
            byte[] got = new byte[TRACK];
            r.readTrack(5, got);
            assertThat(got).isEqualTo(track(5));
            assertThat(r.holds(4)).isFalse();
            r.verify(null);
        }
        // reopened later: the same store
        assertThat(DirectoryStore.open(dir.resolve("store"), StorageFactory.real(), false).uuid()).isEqualTo(s.uuid());
    }

    /**
     * An image id is a name in this store, never a path: 'backup restore --store A --at ../../B/images/ID' restored
     * from store B's image while the pool recorded store A, and 'backup verify A ..' called the store's own images
     * directory a DAMAGED image.
     */
    @Test
    void anIdThatIsAPathNamesNoImage() throws Exception {
        DirectoryStore other = DirectoryStore.open(dir.resolve("other"), StorageFactory.real(), true);
        fullImage(other);
        DirectoryStore s = store();
        for (String id : new String[] {"../../other/images/v-full", "..", ".", "", "v-full/", "/" + dir.resolve("other")}) {
            assertThatThrownBy(() -> s.open(id)).as(id).isInstanceOf(BackupException.class)
                    .hasMessage("no image '" + id + "' in the backup store " + dir.resolve("store"));
            assertThat(s.holds(id)).as(id).isFalse();
            assertThatThrownBy(() -> s.delete(id)).as(id).isInstanceOf(BackupException.class)
                    .hasMessageStartingWith("no image '" + id + "'");
            assertThatThrownBy(() -> s.resume(id)).as(id).isInstanceOf(BackupException.class);
        }
        assertThat(other.list()).extracting(ImageInfo::id).containsExactly("v-full");
        assertThat(Files.exists(dir.resolve("store/images"))).isTrue();
    }

    /**
     * An image whose index or data file is gone, or is a directory, is a damaged image, said as one: 'backup verify'
     * stopped at it with 'splitpoint: /store/images/ID/index does not exist' (the images after it not verified) or
     * only 'splitpoint: Is a directory', no file named; a data directory read as '4096 bytes' of data.
     */
    @Test
    void anImageWhoseFileIsMissingOrADirectoryIsDamagedAndVerifyGoesOn() throws Exception {
        DirectoryStore s = store();
        fullImage(s);
        try (ImageWriter w = s.create(header(s, "v-inc", "v-full"))) {
            w.putTrack(4, track(4), TRACK);
            w.seal();
        }
        Path full = s.images().resolve("v-full");
        for (String part : new String[] {"index", "data"}) {
            byte[] kept = Files.readAllBytes(full.resolve(part));
            Files.delete(full.resolve(part));
            assertThatThrownBy(() -> s.open("v-full")).isInstanceOf(BackupException.class)
                    .hasMessage("image v-full: its " + part + " file is missing (damaged)");
            ChainVerify chains = new ChainVerify(s);
            assertThat(chains.verify("v-full", null).sentence()).contains("its " + part + " file is missing (damaged)");
            assertThat(chains.verify("v-inc", null).ok()).as("an incremental on it is not restorable").isFalse();
            Files.createDirectory(full.resolve(part));
            assertThatThrownBy(() -> s.open("v-full")).isInstanceOf(BackupException.class)
                    .hasMessage("image v-full: its " + part + " is a directory, not a file (damaged)");
            Files.delete(full.resolve(part));
            Files.write(full.resolve(part), kept);
        }
        assertThat(new ChainVerify(s).verify("v-inc", null).ok()).isTrue();
    }

    @Test
    void anUnfinishedImageIsNeverListedAndCanBeResumed() throws Exception {
        DirectoryStore s = store();
        ImageWriter w = s.create(header(s, "v-wt", null));
        w.putTrack(1, track(1), TRACK);
        w.putTrack(2, track(2), TRACK);
        w.sync();
        w.putTrack(3, track(3), 100); // torn below: its record names bytes that are not all there
        w.close();
        try (FileChannel ch = FileChannel.open(s.images().resolve("v-wt.partial/data"), StandardOpenOption.WRITE)) {
            ch.truncate(2L * TRACK + 50);
        }
        assertThat(s.list()).isEmpty();
        assertThat(s.unfinished()).containsExactly("v-wt");
        try (ImageWriter resumed = s.resume("v-wt")) {
            assertThat(resumed.tracks()).isEqualTo(2);
            resumed.putTrack(4, track(4), TRACK);
            ImageInfo i = resumed.seal();
            assertThat(i.tracks()).isEqualTo(3);
        }
        try (ImageReader r = s.open("v-wt")) {
            assertThat(r.holds(3)).isFalse();
            byte[] got = new byte[TRACK];
            r.readTrack(4, got);
            assertThat(got).isEqualTo(track(4));
            r.verify(null);
        }
    }

    @Test
    void aChainReadsEachTrackFromItsNewestImageAndZerosWhereNoneHoldsIt() throws Exception {
        DirectoryStore s = store();
        fullImage(s);
        try (ImageWriter w = s.create(header(s, "v-inc1", "v-full"))) {
            w.putTrack(5, track(55), TRACK);
            w.putTrack(6, track(66), TRACK);
            w.seal();
        }
        try (ChainReader c = ChainReader.open(s, "v-inc1")) {
            byte[] got = new byte[TRACK];
            c.readTrack(5, got);
            assertThat(got).isEqualTo(track(55));
            c.readTrack(3, got);
            assertThat(got).isEqualTo(track(3));
            c.readTrack(10, got);
            assertThat(got).isEqualTo(new byte[TRACK]);
            assertThat(c.images()).extracting(ImageInfo::id).containsExactly("v-inc1", "v-full");
        }
        s.delete("v-full");
        assertThatThrownBy(() -> ChainReader.open(s, "v-inc1")).isInstanceOf(BackupException.class)
                .hasMessageContaining("no image 'v-full'").hasMessageContaining("a parent in the chain of v-inc1 is missing");
    }

    /**
     * A chain whose parents loop (a manifest edited by hand, or two stores' images mixed: an incremental
     * naming itself, or A naming B naming A) was opened image after image until 10,000 were open, each
     * index read and checked again: 15 s for one small image, and for images of a large volume hours of
     * reading, or the process's file descriptors gone first. The loop is said at the first image seen
     * twice.
     */
    @Test
    void aChainWhoseParentsLoopIsSaidAtTheFirstImageSeenTwice() throws Exception {
        DirectoryStore s = store();
        fullImage(s);
        try (ImageWriter w = s.create(header(s, "v-a", "v-b"))) {
            w.putTrack(5, track(55), TRACK);
            w.seal();
        }
        try (ImageWriter w = s.create(header(s, "v-b", "v-a"))) {
            w.putTrack(6, track(66), TRACK);
            w.seal();
        }
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        BackupStore counting = (BackupStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BackupStore.class}, (proxy, m, args) -> {
                    if (m.getName().equals("open")) {
                        opened.incrementAndGet();
                    }
                    try {
                        return m.invoke(s, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        assertThatThrownBy(() -> ChainReader.open(counting, "v-a")).isInstanceOf(BackupException.class)
                .hasMessage("the chain of v-a loops: image v-b names v-a as its parent, which is already in the chain");
        assertThat(opened.get()).as("images opened").isEqualTo(2);
    }

    /**
     * An image directory copied (or renamed) by hand keeps its manifest, which names the original: the store
     * listed the original twice, and 'backup delete' of that id took the original's directory while its copy
     * went on being listed under that id. A manifest naming another image is damaged, said with the two names.
     */
    @Test
    void anImageDirectoryWhoseManifestNamesAnotherImageIsDamaged() throws Exception {
        DirectoryStore s = store();
        fullImage(s);
        Path from = s.images().resolve("v-full");
        Path to = s.images().resolve("v-copy");
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        assertThat(s.list()).extracting(ImageInfo::id).containsExactly("v-full");
        assertThat(s.damaged()).containsOnlyKeys("v-copy");
        assertThat(s.damaged().get("v-copy")).endsWith(": manifest.json names image v-full, not its directory's v-copy"
                + " (copied or renamed by hand)");
    }

    @Test
    void aDamagedTrackIsNamedNeverReturned() throws Exception {
        DirectoryStore s = store();
        fullImage(s);
        try (FileChannel ch = FileChannel.open(s.images().resolve("v-full/data"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}), TRACK + 17); // inside the second track held: 5
        }
        try (ImageReader r = s.open("v-full")) {
            byte[] got = new byte[TRACK];
            r.readTrack(3, got); // intact
            assertThatThrownBy(() -> r.readTrack(5, got)).isInstanceOf(BackupException.class)
                    .hasMessage("image v-full: track 5 fails its SHA-256 (the backup is damaged)");
            assertThatThrownBy(() -> r.verify(null)).isInstanceOf(BackupException.class)
                    .hasMessage("image v-full: 1 of 3 tracks fail their SHA-256 (track 5; damaged): a restore of it copies"
                            + " the others and leaves that one unrestored");
        }
    }

    @Test
    void aMissingOrDamagedManifestIndexOrDataIsOneSentence() throws Exception {
        DirectoryStore s = store();
        fullImage(s);
        Path img = s.images().resolve("v-full");
        byte[] manifest = Files.readAllBytes(img.resolve("manifest.json"));
        Files.writeString(img.resolve("manifest.json"), new String(manifest).replace("\"tracks\" : 3", "\"tracks\" : 4"));
        assertThatThrownBy(() -> s.open("v-full")).isInstanceOf(BackupException.class)
                .hasMessageContaining("image v-full").hasMessageContaining("CRC32C");
        Files.write(img.resolve("manifest.json"), manifest);
        byte[] index = Files.readAllBytes(img.resolve("index"));
        Files.write(img.resolve("index"), Arrays.copyOf(index, index.length - 10));
        assertThatThrownBy(() -> s.open("v-full")).isInstanceOf(BackupException.class)
                .hasMessageContaining("not whole records");
        Files.write(img.resolve("index"), index);
        try (FileChannel ch = FileChannel.open(img.resolve("data"), StandardOpenOption.WRITE)) {
            ch.truncate(TRACK);
        }
        assertThatThrownBy(() -> s.open("v-full")).isInstanceOf(BackupException.class).hasMessageContaining("truncated");
        Files.delete(img.resolve("manifest.json"));
        assertThat(s.list()).as("a damaged image hides no other: it is listed apart").isEmpty();
        assertThat(s.damaged()).containsOnlyKeys("v-full");
        assertThat(s.damaged().get("v-full")).contains("has no manifest");
    }

    /**
     * A manifest whose checksum is right but whose figures no image has (a hand edit, another tool) is
     * damaged, said in one sentence: a track size of 0 ended 'backup verify' in an internal error
     * (/ by zero), and one of 3 B or -1 tracks were verified "ok".
     */
    @Test
    void aManifestWithFiguresNoImageHasIsDamaged() throws Exception {
        DirectoryStore s = store();
        fullImage(s);
        Path m = s.images().resolve("v-full").resolve("manifest.json");
        byte[] good = Files.readAllBytes(m);
        java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("trackSize=0", "its track size 0 is not a power of two from 4K to 1G");
        cases.put("trackSize=3", "its track size 3 is not a power of two from 4K to 1G");
        cases.put("trackSize=-4096", "its track size -4096 is not a power of two from 4K to 1G");
        cases.put("size=0", "its volume size 0 is not a positive multiple of 512 bytes");
        cases.put("size=-262144", "its volume size -262144 is not a positive multiple of 512 bytes");
        cases.put("size=1000", "its volume size 1000 is not a positive multiple of 512 bytes");
        cases.put("tracks=-1", "it says the image holds -1 tracks of a volume of 64");
        cases.put("tracks=65", "it says the image holds 65 tracks of a volume of 64");
        cases.put("dataBytes=-1", "it says the image holds -1 bytes of data");
        for (java.util.Map.Entry<String, String> c : cases.entrySet()) {
            com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode)
                    org.splitpoint.engine.meta.CheckedJson.MAPPER.readTree(good).get("body");
            String[] kv = c.getKey().split("=");
            body.put(kv[0], Long.parseLong(kv[1]));
            org.splitpoint.engine.meta.CheckedJson.write(StorageFactory.real(), m, ImageInfo.MAGIC, ImageInfo.VERSION, body);
            assertThatThrownBy(() -> s.open("v-full")).as(c.getKey()).isInstanceOf(BackupException.class)
                    .hasMessageContaining("image v-full in ").hasMessageContaining("manifest.json is damaged: " + c.getValue());
            assertThat(s.list()).as(c.getKey()).isEmpty();
            assertThat(s.damaged()).as(c.getKey()).containsOnlyKeys("v-full");
        }
        Files.write(m, good);
        try (ImageReader r = s.open("v-full")) {
            r.verify(null);
        }
    }

    @Test
    void aStoreThatIsAFileOrAnotherDirectoryIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> DirectoryStore.open(file, StorageFactory.real(), true)).isInstanceOf(BackupException.class)
                .hasMessage("--store " + file + " is a file, not a backup store directory");
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("something"), "x");
        assertThatThrownBy(() -> DirectoryStore.open(other, StorageFactory.real(), true)).isInstanceOf(BackupException.class)
                .hasMessageContaining("is not a Splitpoint backup store");
        assertThatThrownBy(() -> DirectoryStore.open(dir.resolve("none"), StorageFactory.real(), false))
                .isInstanceOf(BackupException.class).hasMessageContaining("there is no backup store at");
        assertThat(Files.exists(dir.resolve("none"))).isFalse();
    }
}
