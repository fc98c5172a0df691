package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code splitpoint backup ...} as an administrator runs it (issue 11): the flow, and bad input
 * answered with one sentence, changing nothing (neither the pool nor the store).
 */
class BackupCommandTest {

    @TempDir
    Path tmp;
    Path pool;
    Path store;

    @BeforeEach
    void poolWithData() throws Exception {
        pool = tmp.resolve("p");
        store = tmp.resolve("store");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 5, "--drive-size", "4M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid5", "--drives", "d1,d2,d3").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "small", "--layout", "raid1", "--drives", "d4,d5", "--size", "1M")
                .code()).isZero();
        byte[] data = new byte[1 << 20];
        new Random(1).nextBytes(data);
        Path in = Files.write(tmp.resolve("in"), data);
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", in).code()).isZero();
    }

    private String onlyImage() throws Exception {
        CliRun list = CliRun.of("backup", "list", store, "--json");
        assertThat(list.code()).as(list.err()).isZero();
        var arr = Json.MAPPER.readTree(list.out());
        return arr.get(arr.size() - 1).get("id").asText();
    }

    /** A refusal: exit code, one sentence containing {@code text}, and no file of the pool or the store changed. */
    private void assertRefused(int code, String text, Object... args) throws Exception {
        Map<String, String> poolBefore = CliRun.fingerprint(pool);
        Map<String, String> storeBefore = Files.exists(store) ? CliRun.fingerprint(store) : Map.of();
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(CliRun.oneSentence(r)).contains(text);
        assertThat(CliRun.fingerprint(pool)).isEqualTo(poolBefore);
        assertThat(Files.exists(store) ? CliRun.fingerprint(store) : Map.of()).isEqualTo(storeBefore);
    }

    /**
     * A foreground 'backup create' killed (SIGKILL, as kill -9) leaves its image unfinished in the
     * store. Only 'backup list' of that store said so; 'pool status', where an administrator looks
     * first, said nothing. It says it now, with what to do, until the next backup removes the image.
     */
    @Test
    void poolStatusSaysABackupKilledInTheForegroundLeftAnUnfinishedImageAndWhatToDo() throws Exception {
        Process child = new ProcessBuilder(Tools.splitpoint("backup", "create", pool, "v", "--store", store, "--full",
                "--throttle", "0.5")).redirectErrorStream(true).start();
        java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder said = new StringBuilder();
        try {
            for (String l = lines.readLine(); l != null && !l.contains("backup of v started"); l = lines.readLine()) {
                said.append(l).append('\n');
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: nothing of the process runs after it
            assertThat(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        CliRun list = CliRun.of("backup", "list", store);
        assertThat(list.out()).as(said.toString() + list.err()).contains("unfinished (not an image");
        String id = list.out().substring(list.out().lastIndexOf(": ") + 2).trim();

        CliRun status = CliRun.of("pool", "status", pool);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("a backup of volume v did not finish (its process stopped): its unfinished image "
                + id + " stays in the backup store " + store + "; the next backup of v into that store removes it, or"
                + " 'splitpoint backup delete " + store + " " + id + "' does now");
        CliRun json = CliRun.of("pool", "status", pool, "--json");
        assertThat(Json.MAPPER.readTree(json.out()).get("unfinishedBackups").get(0).asText()).contains(id);

        CliRun again = CliRun.of("backup", "create", pool, "v", "--store", store, "--full");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(CliRun.of("backup", "list", store).out()).doesNotContain("unfinished");
        assertThat(CliRun.of("pool", "status", pool).out()).doesNotContain("did not finish");
        try (var meta = Files.list(pool.resolve("meta"))) {
            assertThat(meta.map(Path::toString)).as("no record left once the images are sealed or gone")
                    .noneMatch(n -> n.endsWith(".backup-started"));
        }
    }

    /**
     * A mistyped image id is no damaged image: 'backup verify STORE nope' printed 'nope: DAMAGED: no image ...' and
     * '1 of 1 images failed verification', as if the store had lost an image; '..' was the store's images directory,
     * DAMAGED too, and '../../other/images/ID' verified another store's image as this one's.
     */
    @Test
    void verifyingAnIdTheStoreDoesNotHoldSaysThereIsNoSuchImage() throws Exception {
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
        Path other = tmp.resolve("other");
        assertThat(CliRun.of("backup", "create", pool, "small", "--store", other, "--full").code()).isZero();
        String elsewhere = "../../other/images/" + Files.list(other.resolve("images")).findFirst().orElseThrow().getFileName();
        for (String id : new String[] {"nope", "..", elsewhere}) {
            assertRefused(1, "no image '" + id + "' in the backup store " + store, "backup", "verify", store, id);
            assertThat(CliRun.of("backup", "verify", store, id).out()).doesNotContain("DAMAGED", "ok");
        }
    }

    /**
     * 'backup verify' on a log (stderr not a terminal: a line every 5 s, so the first is often the only one) said
     * 'verify ID  100.0%  1227840.7 MB/s': each image's clock started at its first report, which comes after a
     * megabyte was read and hashed, so that megabyte was divided by the nanoseconds since. A rate no disk or
     * SHA-256 reaches (100 GB/s) is never shown, and a line that shows a rate shows an ETA with it.
     */
    @Test
    void verifysProgressLineShowsNoRateItHasNotMeasured() throws Exception {
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
        CliRun r = CliRun.of("backup", "verify", store);
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.err().lines().filter(l -> l.startsWith("verify ")).toList();
        assertThat(lines).as(r.err()).isNotEmpty();
        for (String l : lines) {
            var m = java.util.regex.Pattern.compile("([0-9.]+) MB/s").matcher(l);
            if (m.find()) {
                assertThat(Double.parseDouble(m.group(1))).as(l).isLessThan(100_000);
                assertThat(l).contains("ETA ");
            }
            assertThat(l).as("how far, in bytes").contains(" of ");
        }
    }

    @Test
    void backupListVerifyRestoreAndDeleteAsAnAdministratorDoes() throws Exception {
        CliRun full = CliRun.of("backup", "create", pool, "v", "--store", store, "--full");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(full.out()).contains("backup of v started", "(full;");
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", "100K", "--in", tmp.resolve("in")).code()).isZero();
        CliRun inc = CliRun.of("backup", "create", pool, "v", "--store", store);
        assertThat(inc.code()).as(inc.err()).isZero();
        assertThat(inc.out()).contains("(incremental)");
        String id = onlyImage();
        CliRun list = CliRun.of("backup", "list", store);
        assertThat(list.out()).contains("full", "incremental", id);
        CliRun verify = CliRun.of("backup", "verify", store);
        assertThat(verify.code()).as(verify.err()).isZero();
        assertThat(verify.out()).contains(id + ": ok");
        byte[] before = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "2M").out().getBytes();
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", tmp.resolve("in")).code()).isZero();
        CliRun noYes = CliRun.of("backup", "restore", pool, "v", "--store", store);
        assertThat(noYes.code()).as(noYes.err()).isEqualTo(2);
        assertThat(CliRun.oneSentence(noYes)).contains("restoring v replaces all its data", "--yes");
        CliRun restore = CliRun.of("backup", "restore", pool, "v", "--store", store, "--yes");
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("restore of v from image " + id + " started: the volume is usable now");
        assertThat(CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "2M").out().getBytes()).isEqualTo(before);
        CliRun dependent = CliRun.of("backup", "delete", store, first(), "--yes");
        assertThat(dependent.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(dependent)).contains("is the parent of " + id, "--chain");
        CliRun chain = CliRun.of("backup", "delete", store, first(), "--chain", "--yes");
        assertThat(chain.code()).as(chain.err()).isZero();
        assertThat(CliRun.of("backup", "list", store).out()).contains("no images");
    }

    /**
     * A full image leaves out all-zero tracks, known only once read. The start said "16 tracks to copy" and the
     * end only "DONE", and 'backup list' then showed 12 tracks: as if 4 had been missed (helper 161 saw "1024 tracks
     * to copy" for an image of 960). The start says the count its progress and ETA stand on, tracks to read and that
     * all-zero ones are not stored; the end says what the image stores.
     */
    @Test
    void aFullBackupSaysItReadsEveryTrackAndStoresTheOnesHoldingData() throws Exception {
        Path twelve = Files.write(tmp.resolve("twelve"), new byte[12 * 64 * 1024]);
        byte[] ones = Files.readAllBytes(twelve);
        java.util.Arrays.fill(ones, (byte) 1);
        Files.write(twelve, ones);
        assertThat(CliRun.of("volume", "write", pool, "small", "--offset", 0, "--in", twelve).code()).isZero();

        CliRun full = CliRun.of("backup", "create", pool, "small", "--store", store, "--full");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(full.out()).contains("backup of small started: 16 tracks to read (full; all-zero tracks are not stored)")
                .doesNotContain("to copy");
        assertThat(full.err()).contains("backup small: DONE, 768 KiB stored: 12 of 16 tracks (all-zero tracks not stored)");
        CliRun list = CliRun.of("backup", "list", store, "--json");
        assertThat(Json.MAPPER.readTree(list.out()).get(0).get("tracks").asLong()).isEqualTo(12);

        assertThat(CliRun.of("volume", "write", pool, "small", "--offset", 0, "--in", tmp.resolve("in")).code()).isZero();
        CliRun inc = CliRun.of("backup", "create", pool, "small", "--store", store);
        assertThat(inc.code()).as(inc.err()).isZero();
        assertThat(inc.out()).contains("16 tracks to copy (incremental)"); // an incremental stores each one it copies
        assertThat(inc.err()).contains("backup small: DONE, 1 MiB stored: 16 of 16 tracks, changed since ");
    }

    /**
     * Every track an instant restore writes over keeps its old bytes in the save area for the volume's
     * snapshots; a save area smaller than the volume filled during the restore and the snapshots became
     * invalid, with no word before (helper 52).
     */
    @Test
    void aRestoreOverAVolumeWhoseSnapshotsTheSaveAreaCannotHoldWarnsFirst() throws Exception {
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
        assertThat(CliRun.of("backup", "restore", pool, "v", "--store", store, "--yes").err()).doesNotContain("warning");
        assertThat(CliRun.of("snapshot", "save-area", pool, "small", "--yes").code()).isZero();
        assertThat(CliRun.of("snapshot", "create", pool, "v", "s1").code()).isZero();
        CliRun restore = CliRun.of("backup", "restore", pool, "v", "--store", store, "--yes");
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(restore.err()).contains("splitpoint: warning: volume v has 1 snapshot: the restore writes up to 128"
                + " tracks over it, whose old bytes they keep in the save area small, which has room for only 16 tracks"
                + " more; once it is full, the snapshots that need a track saved become invalid");
    }

    /**
     * A FAILED volume is restored without a question (nothing readable to lose), on the condition that
     * it is still FAILED when the restore starts; {@code --only-if-failed} asks that condition of any
     * volume (for callers that asked nothing: the app attached to serve), refusing one that holds
     * readable data, which stays as it was.
     */
    @Test
    void onlyIfFailedRestoresAFailedVolumeAndRefusesOneThatIsNot() throws Exception {
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
        assertThat(CliRun.of("backup", "create", pool, "small", "--store", store, "--full").code()).isZero();
        byte[] small = CliRun.of("volume", "read", pool, "small", "--offset", 0, "--length", "1M").out().getBytes();
        byte[] other = new byte[1 << 20];
        new Random(7).nextBytes(other);
        Path written = Files.write(tmp.resolve("after"), other); // after the backup: only the volume holds it
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", written).code()).isZero();
        byte[] before = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "1M").out().getBytes();

        assertRefused(1, "volume v is OPTIMAL, no longer FAILED: restoring it would replace data hosts can read, which"
                + " was not confirmed; nothing was restored; restore again to be asked to type its name",
                "backup", "restore", pool, "v", "--store", store, "--only-if-failed");
        assertRefused(2, "--yes agrees to replace what the volume holds and --only-if-failed refuses to: choose one",
                "backup", "restore", pool, "v", "--store", store, "--only-if-failed", "--yes");
        assertThat(CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "1M").out().getBytes()).isEqualTo(before);

        Files.delete(pool.resolve("drives/d4.img")); // both drives of small lost: FAILED
        Files.delete(pool.resolve("drives/d5.img"));
        CliRun r = CliRun.of("backup", "restore", pool, "small", "--store", store, "--only-if-failed");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("Type small");
        assertThat(CliRun.of("volume", "read", pool, "small", "--offset", 0, "--length", "1M").out().getBytes()).isEqualTo(small);
    }

    /** {@code backup create --from-snapshot}: the image is the volume as the snapshot shows it, and carries its time. */
    @Test
    void aBackupFromASnapshotIsTheVolumeAsTheSnapshotShowsIt() throws Exception {
        assertThat(CliRun.of("snapshot", "save-area", pool, "small", "--yes").code()).isZero();
        assertThat(CliRun.of("snapshot", "create", pool, "v", "s1").code()).isZero();
        byte[] atSnapshot = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "1M").out().getBytes();
        byte[] other = new byte[200 << 10];
        new Random(2).nextBytes(other);
        Path in2 = Files.write(tmp.resolve("in2"), other);
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", "64K", "--in", in2).code()).isZero();
        assertRefused(1, "volume v has no snapshot named 'nope' (snapshots: s1)",
                "backup", "create", pool, "v", "--store", store, "--full", "--from-snapshot", "nope");

        CliRun b = CliRun.of("backup", "create", pool, "v", "--store", store, "--full", "--from-snapshot", "s1");
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.out()).contains("backup of v as of snapshot v@s1 started", "(full;");
        var images = Json.MAPPER.readTree(CliRun.of("backup", "list", store, "--json").out());
        var snaps = Json.MAPPER.readTree(CliRun.of("snapshot", "list", pool, "v", "--json").out());
        assertThat(images.get(0).get("createdAt").asText()).isEqualTo(snaps.get(0).get("createdAt").asText());

        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store).code()).isZero(); // as of now, on it
        assertRefused(1, "snapshot v@s1 was taken before the volume had a backup, so an incremental image of it cannot"
                + " build on that backup; take a full backup (--full) from the snapshot",
                "backup", "create", pool, "v", "--store", store, "--from-snapshot", "s1");

        CliRun restore = CliRun.of("backup", "restore", pool, "v", "--store", store, "--at", first(), "--yes");
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "1M").out().getBytes())
                .isEqualTo(atSnapshot);
    }

    /** A full image of v, a write, and an incremental on it. */
    private void fullThenIncremental() throws Exception {
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", "100K", "--in", tmp.resolve("in")).code()).isZero();
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store).code()).isZero();
    }

    private String first() throws Exception {
        var arr = Json.MAPPER.readTree(CliRun.of("backup", "list", store, "--json").out());
        return arr.get(0).get("id").asText();
    }

    @Test
    void badStoresAndImagesAreOneSentenceAndChangeNothing() throws Exception {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        assertRefused(1, "is a file, not a backup store directory", "backup", "create", pool, "v", "--store", file, "--full");
        assertRefused(1, "there is no backup store at", "backup", "list", tmp.resolve("none"));
        assertRefused(1, "has no backup yet for an incremental one", "backup", "create", pool, "v", "--store", store);
        assertRefused(1, "is inside the pool", "backup", "create", pool, "v", "--store", pool.resolve("b"), "--full");
        // a store named through a symbolic link to the pool is inside it too (was made there)
        Path link = Files.createSymbolicLink(tmp.resolve("link"), pool);
        assertRefused(1, "is inside the pool", "backup", "create", pool, "v", "--store", link.resolve("b"), "--full");
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
        String id = onlyImage();
        // a restore that cannot start says why before it asks for confirmation (no --yes needed to learn it)
        assertRefused(1, "of a volume of 8 MiB; small is 1 MiB", "backup", "restore", pool, "small", "--store", store,
                "--at", id);
        assertRefused(1, "no image 'nosuch'", "backup", "restore", pool, "v", "--store", store, "--at", "nosuch");
        assertRefused(1, "there is no backup store at", "backup", "restore", pool, "v", "--store", tmp.resolve("none"));
        Path img = store.resolve("images").resolve(id);
        Path manifest = img.resolve("manifest.json");
        byte[] m = Files.readAllBytes(manifest);
        Files.writeString(manifest, new String(m).replace("\"tracks\"", "\"trackz\""));
        assertRefused(1, "fails its CRC32C check", "backup", "restore", pool, "v", "--store", store, "--at", id, "--yes");
        Files.delete(manifest);
        assertRefused(1, "has no manifest", "backup", "restore", pool, "v", "--store", store, "--at", id, "--yes");
        Files.write(manifest, m);
        try (FileChannel ch = FileChannel.open(img.resolve("data"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {7}), 1000);
        }
        CliRun verify = CliRun.of("backup", "verify", store, id);
        assertThat(verify.code()).isEqualTo(1);
        assertThat(verify.out()).contains(id + ": DAMAGED", "SHA-256");
        assertThat(CliRun.oneSentence(verify)).contains("1 of 1 images failed verification");
    }

    /**
     * An incremental whose own SHA-256s match but whose full image is damaged cannot be restored:
     * verify said "ok" for it (exit 0). It verifies the chain the image needs now and says where it breaks.
     */
    @Test
    void anIncrementalOverADamagedFullImageIsNotOk() throws Exception {
        fullThenIncremental();
        String full = first();
        String inc = onlyImage();
        try (FileChannel ch = FileChannel.open(store.resolve("images").resolve(full).resolve("data"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {7}), 1000);
        }
        CliRun one = CliRun.of("backup", "verify", store, inc);
        assertThat(one.code()).isEqualTo(1);
        assertThat(one.out()).contains(inc + ": ok, but its chain is broken at " + full + ": image " + full + ": ",
                "SHA-256", "; it cannot be restored");
        assertThat(CliRun.oneSentence(one)).contains("1 of 1 images failed verification");
        CliRun all = CliRun.of("backup", "verify", store);
        assertThat(all.code()).isEqualTo(1);
        assertThat(all.out()).contains(full + ": DAMAGED: image " + full, inc + ": ok, but its chain is broken at " + full);
        assertThat(CliRun.oneSentence(all)).contains("2 of 2 images failed verification");
    }

    /** A journal's store with a garbage store.json: pool status said HEALTHY until the next ship failed. */
    @Test
    void aJournalsDamagedStoreIsAWarningInPoolStatus() throws Exception {
        assertThat(CliRun.of("drive", "add", pool).code()).isZero();
        assertThat(CliRun.of("drive", "add", pool).code()).isZero();
        Files.createDirectories(store);
        CliRun enable = CliRun.of("volume", "journal", "enable", pool, "v", "--drives", "d6,d7", "--store", store);
        assertThat(enable.code()).as(enable.err()).isZero();
        Files.writeString(store.resolve("store.json"), "garbage");

        CliRun status = CliRun.of("pool", "status", pool);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("health WARNING", "warning: the journal of v cannot ship: the backup store at "
                + store + " is damaged");
        assertThat(status.err()).contains("splitpoint: note: the journal of v cannot ship");
        var json = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(json.get("health").asText()).isEqualTo("WARNING");
        assertThat(json.get("warnings").get(0).asText()).startsWith("the journal of v cannot ship");
    }

    @Test
    void anotherTrackSizeIsRefusedWithOneSentence() throws Exception {
        Path other = tmp.resolve("q");
        assertThat(CliRun.of("pool", "create", other, "--drives", 3, "--drive-size", "4M", "--track-size", "128K").code()).isZero();
        assertThat(CliRun.of("volume", "create", other, "v", "--layout", "raid5", "--drives", "d1,d2,d3").code()).isZero();
        assertThat(CliRun.of("backup", "create", other, "v", "--store", store, "--full").code()).isZero();
        assertRefused(1, "has tracks of 128 KiB, this pool 64 KiB", "backup", "restore", pool, "v", "--store", store, "--yes");
    }

    /**
     * A restore that FAILED on a damaged track is ended by 'job cancel' while serve holds the pool
     * (it said the job had failed already, and a new restore that one was under way: a dead end).
     */
    @Test
    void aRestoreThatFailedOnADamagedTrackIsCancelledWhileHeld() throws Exception {
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
        String id = onlyImage();
        try (FileChannel ch = FileChannel.open(store.resolve("images").resolve(id).resolve("data"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 70_000); // in the second track
        }
        try (Holder h = new Holder(pool)) {
            assertThat(CliRun.of("backup", "restore", pool, "v", "--store", store, "--no-wait", "--yes").code()).isZero();
            var job = h.pool.job("instant-restore-v");
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.progress().message()).contains("1 track of the backup is damaged (track 1;");
            CliRun cancel = CliRun.of("job", "cancel", pool, "instant-restore-v", "--yes");
            assertThat(cancel.code()).as(cancel.err()).isZero();
            assertThat(cancel.out()).contains("job instant-restore-v is CANCELLED: the restore of v ended with 1 track not"
                    + " restored");
            assertThat(h.pool.instantRestores().restoreOf("v")).isNull();
            CliRun again = CliRun.of("backup", "create", pool, "v", "--store", store, "--full");
            assertThat(again.code()).as("a backup once the restore ended: " + again.err()).isZero();
        }
    }

    /**
     * Ctrl-C (here SIGTERM, which a terminal's Ctrl-C shares the shutdown path with) during a
     * backup the command runs itself: it said nothing and left the pool as a crash does; now it
     * says what stopped and what becomes of it, and closes the pool.
     */
    @Test
    @Timeout(60)
    void anInterruptedBackupSaysWhatStoppedAndClosesThePool() throws Exception {
        byte[] data = new byte[4 << 20];
        new Random(5).nextBytes(data);
        Path in = Files.write(tmp.resolve("big"), data);
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", in).code()).isZero();
        Path errFile = tmp.resolve("err");
        Process p = new ProcessBuilder(Tools.splitpoint("backup", "create", pool, "v", "--store", store, "--full",
                "--throttle", "0.5")).redirectError(errFile.toFile()).redirectOutput(tmp.resolve("out").toFile()).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(errFile) && Files.readString(errFile).contains("tracks")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(500);
        // while it runs, its image is being written: listed so, and not deleted from under it
        String listed = CliRun.of("backup", "list", store).out();
        assertThat(listed).contains("unfinished, being written now (a backup in pid " + p.pid());
        String id = listed.substring(listed.lastIndexOf(": ") + 2).trim();
        CliRun refused = CliRun.of("backup", "delete", store, id, "--yes");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("the unfinished image " + id + " is being written now (pid " + p.pid());
        p.destroy();
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(CliRun.of("backup", "list", store).out()).contains("unfinished (not an image; 'backup delete' removes it): " + id);
        String err = Files.readString(errFile);
        assertThat(err).contains("splitpoint: interrupted: closing the pool cleanly:")
                .containsPattern("backup v stopped at \\d+\\.\\d%: no image is made; the next backup of v removes the"
                        + " unfinished one");
        CliRun status = CliRun.of("pool", "status", pool);
        assertThat(status.code()).as(status.err()).isZero();
        CliRun again = CliRun.of("backup", "create", pool, "v", "--store", store, "--full");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(CliRun.of("backup", "list", store).out()).doesNotContain("unfinished");
    }

    /**
     * One image whose manifest is damaged hid every other one (list, verify and delete failed with its
     * sentence, and it could not be deleted); now it is listed apart as DAMAGED, the others list and
     * verify, a restore without --at refuses rather than take an older image, and it can be deleted.
     */
    @Test
    void aDamagedManifestHidesNothingElseAndCanBeDeleted() throws Exception {
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
        assertThat(CliRun.of("backup", "create", pool, "v", "--store", store).code()).isZero();
        String full = first();
        String inc = onlyImage();
        Path manifest = store.resolve("images").resolve(inc).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"tracks\"", "\"trackz\""));

        CliRun list = CliRun.of("backup", "list", store);
        assertThat(list.code()).isEqualTo(1);
        assertThat(list.out()).contains(full).contains("DAMAGED (cannot be read or restored; 'backup delete' removes it): "
                + inc + ": image " + inc + " in " + store + ": manifest.json fails its CRC32C check");
        CliRun verify = CliRun.of("backup", "verify", store);
        assertThat(verify.code()).isEqualTo(1);
        assertThat(verify.out()).contains(full + ": ok", inc + ": DAMAGED: ");
        assertThat(verify.err()).contains("1 of 2 images failed verification");
        assertRefused(1, "it may be the newest image of v: name the image to restore with --at ID", "backup", "restore",
                pool, "v", "--store", store, "--yes");
        CliRun del = CliRun.of("backup", "delete", store, inc, "--yes");
        assertThat(del.code()).as(del.err()).isZero();
        assertThat(del.out()).contains("deleted the damaged image " + inc);
        CliRun after = CliRun.of("backup", "list", store);
        assertThat(after.code()).isZero();
        assertThat(after.out()).contains(full).doesNotContain("DAMAGED");
    }

    /**
     * An image a running restore reads (its chain) or writes through to cannot be deleted: it was, and
     * the restore's owed tracks were then lost for good (its job failed naming a bare path). The
     * refusal says who uses it and how to end that; the store is untouched; once the restore is
     * cancelled the images go.
     */
    @Test
    void imagesARunningRestoreNeedsAreNotDeleted() throws Exception {
        fullThenIncremental();
        String full = first();
        String inc = onlyImage();
        try (Holder h = new Holder(pool)) {
            CliRun restore = CliRun.of("backup", "restore", pool, "v", "--store", store, "--bulk-throttle", "0.001",
                    "--write-through", "--no-wait", "--yes");
            assertThat(restore.code()).as(restore.err()).isZero();
            String wt = h.pool.instantRestores().restoreOf("v").writeThrough().header().id();
            Map<String, String> storeBefore = CliRun.fingerprint(store);
            for (String id : List.of(inc, full, wt)) {
                CliRun del = CliRun.of("backup", "delete", store, id, "--chain", "--yes");
                assertThat(del.code()).as(del.err()).isEqualTo(1);
                assertThat(CliRun.oneSentence(del)).contains("is in use and was not deleted")
                        .contains(id.equals(wt) ? "the writes made during the restore of volume v" : "volume v of the pool at "
                                + pool.toAbsolutePath().normalize() + " is being restored from image " + inc)
                        .contains("job cancel");
            }
            assertThat(CliRun.fingerprint(store)).isEqualTo(storeBefore);
            assertThat(CliRun.of("job", "cancel", pool, "instant-restore-v", "--yes").code()).isZero();
        }
        CliRun del = CliRun.of("backup", "delete", store, full, "--chain", "--yes");
        assertThat(del.code()).as(del.err()).isZero();
        assertThat(CliRun.of("backup", "list", store).out()).contains("no images");
    }

    /** fio writes and verifies through serve from the first second of an instant restore: 0 errors. */
    @Test
    @Timeout(180)
    void fioThroughServeDuringAnInstantRestoreSeesNoError() throws Exception {
        assumeTrue(Tools.installed("fio"), "needs fio (.ci/run installs it)");
        String a = "0x51510005";
        String b = "0x52520006";
        try (Holder h = new Holder(pool)) {
            Tools.Result writeA = Tools.run(fio(h.uri("v"), a, false));
            assertThat(writeA.code()).as(writeA.out()).isZero();
            assertThat(CliRun.of("backup", "create", pool, "v", "--store", store, "--full").code()).isZero();
            Tools.Result writeB = Tools.run(fio(h.uri("v"), b, false));
            assertThat(writeB.code()).as(writeB.out()).isZero();
            CliRun restore = CliRun.of("backup", "restore", pool, "v", "--store", store, "--bulk-throttle", "1", "--no-wait",
                    "--yes");
            assertThat(restore.code()).as(restore.err()).isZero();
            Tools.Result verifyA = Tools.run(fio(h.uri("v"), a, true)); // the client connected before: same export
            assertThat(verifyA.code()).as("the volume reads the backup's set A at once: " + verifyA.out()).isZero();
            assertThat(verifyA.out()).contains("err= 0");
            assertThat(h.pool.instantRestores().restoreOf("v")).as("still restoring while fio verified").isNotNull();
            assertThat(h.pool.instantRestores().restoreOf("v").onDemandFetches()).isPositive();
            Tools.Result writeB2 = Tools.run(fio(h.uri("v"), b, false)); // writes during the restore
            assertThat(writeB2.code()).as(writeB2.out()).isZero();
            h.pool.activeJobs().forEach(j -> j.setThrottle(0));
            assertThat(Tools.run(Tools.splitpoint("wait", pool)).code()).isZero();
            Tools.Result verifyB = Tools.run(fio(h.uri("v"), b, true));
            assertThat(verifyB.code()).as("the writes made during the restore survived the bulk copy: " + verifyB.out()).isZero();
        }
    }

    private static List<String> fio(String uri, String pattern, boolean verifyOnly) {
        List<String> cmd = new java.util.ArrayList<>(List.of("fio", "--name=set", "--ioengine=nbd", "--uri=" + uri,
                "--rw=write", "--bs=64k", "--size=2m", "--iodepth=8", "--verify=pattern", "--verify_pattern=" + pattern,
                "--verify_state_save=0"));
        cmd.add(verifyOnly ? "--verify_only" : "--do_verify=0");
        return cmd;
    }
}
