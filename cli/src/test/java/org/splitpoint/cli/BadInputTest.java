package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;

/** Bad input gives one clear error, exit 1 or 2, and leaves every file of the pool byte-identical. */
class BadInputTest {

    @TempDir
    Path tmp;
    Path pool;

    @BeforeEach
    void makePool() {
        pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 4, "--drive-size", "2M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid5", "--drives", "d1,d2,d3").code()).isZero();
    }

    private void assertRefused(int expectedCode, String expectedText, Object... args) throws Exception {
        Map<String, String> before = CliRun.fingerprint(pool);
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isEqualTo(expectedCode);
        assertThat(r.err()).contains(expectedText);
        assertThat(r.err().lines().filter(l -> l.startsWith("splitpoint: ")).count()).as(r.err()).isEqualTo(1);
        assertThat(CliRun.fingerprint(pool)).isEqualTo(before);
    }

    /**
     * An empty path (an unset shell variable) named the current directory: 'backup list ""' answered that the
     * directory the command ran in was no store, and '--store ""' with --full made a store there when it was empty.
     */
    @Test
    void anEmptyPathIsRefusedNotTakenForTheCurrentDirectory() throws Exception {
        for (String blank : new String[] {"", " "}) {
            assertRefused(2, "an empty path ('" + blank + "') names no file or directory", "backup", "list", blank);
            assertRefused(2, "an empty path", "backup", "restore", pool, "v", "--store", blank, "--yes");
            assertRefused(2, "an empty path", "volume", "journal", "enable", pool, "v", "--drives", "d4,d1", "--store", blank);
            assertRefused(2, "an empty path", "pool", "status", blank);
            // pool create took '' as no path ('the file system refused (Cannot invoke "java.nio.file.Path
            // .getFileSystem()" because "path" is null)'), or as the directory it ran in ("splitpoint:  is not empty")
            assertRefused(2, "an empty path ('" + blank + "') names no file or directory", "pool", "create", blank,
                    "--drives", 2, "--drive-size", "1M");
        }
    }

    /**
     * A file given where the pool's directory belongs is said to be one: 'pool status p/pool.json' and 'pool status
     * some-file' answered "is not a Splitpoint pool (no pool.json); create one with 'pool create'", and 'pool create'
     * then refused the same path ("exists and is not a directory").
     */
    @Test
    void aFileGivenAsThePoolIsSaidToBeAFile() throws Exception {
        Path json = pool.resolve("pool.json");
        assertRefused(1, json + " is a file, not a pool's directory; give the directory that holds it, " + pool,
                "pool", "status", json);
        assertRefused(1, json + " is a file, not a pool's directory", "volume", "list", json);
        Path file = Files.writeString(tmp.resolve("notes.txt"), "x");
        CliRun r = CliRun.of("pool", "status", file);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("splitpoint: " + file + " is a file, not a pool's directory" + System.lineSeparator());
    }

    /**
     * A drill duration longer than a drill runs is a usage error, the drive left as it was: '--second-failure-after
     * 999999999999d' (or PT99999999999999H) took the drive OFFLINE, then ended in an internal error (long overflow).
     */
    @Test
    void aDrillDurationLongerThanADrillRunsIsRefusedBeforeTheDriveGoesOffline() throws Exception {
        assertRefused(2, "--second-failure-after 999999999999d is longer than a drill runs: at most 365d", "drill", "run",
                pool, "--volume", "v", "--drive", "d2", "--reason", "firmware", "--log", "data",
                "--second-failure-after", "999999999999d", "--no-writes");
        assertRefused(2, "--second-failure-after PT99999999999999H is longer than a drill runs", "drill", "run",
                pool, "--volume", "v", "--drive", "d2", "--reason", "firmware", "--log", "data",
                "--second-failure-after", "PT99999999999999H", "--no-writes");
        assertRefused(2, "--writes-for 400d is longer than a drill runs: at most 365d", "drill", "run",
                pool, "--volume", "v", "--drive", "d2", "--reason", "firmware", "--log", "data", "--writes-for", "400d",
                "--no-writes");
    }

    @Test
    void serviceWindowRefusals() throws Exception {
        assertRefused(2, "unknown offline reason 'coffee'", "drive", "offline", pool, "d1", "--reason", "coffee");
        assertRefused(2, "unknown log mode 'carbon'", "drive", "offline", pool, "d1", "--reason", "reset", "--log", "carbon");
        assertRefused(1, "only an OFFLINE drive is brought online", "drive", "online", pool, "d1");
        assertRefused(1, "only a member of a volume is taken offline", "drive", "offline", pool, "d4", "--reason", "reset");
        assertRefused(1, "no drive named 'd9'", "drive", "offline", pool, "d9", "--reason", "reset");
        assertRefused(2, "add --yes to confirm", "drill", "run", pool, "--volume", "v", "--drive", "d1", "--reason", "reset",
                "--log", "pointers");
        assertRefused(2, "--writes-for -5s is negative", "drill", "run", pool, "--volume", "v", "--drive", "d1", "--reason",
                "reset", "--log", "pointers", "--writes-for", "-5s", "--yes");
        // a drill that cannot start says why before it asks for confirmation (no --yes needed to learn it)
        assertRefused(1, "drive d4 is not a member of volume v", "drill", "run", pool, "--volume", "v", "--drive", "d4",
                "--reason", "reset", "--log", "pointers");
        assertRefused(2, "--json and --json-lines are two forms of the same output", "drill", "run", pool, "--volume", "v",
                "--drive", "d1", "--reason", "reset", "--log", "pointers", "--yes", "--json", "--json-lines");
        assertThat(CliRun.of("drive", "fail", pool, "d3").code()).isZero();
        assertRefused(1, "would leave it no redundancy", "drive", "offline", pool, "d1", "--reason", "firmware");
        assertRefused(1, "would leave it no redundancy", "drill", "run", pool, "--volume", "v", "--drive", "d1",
                "--reason", "firmware", "--log", "data");
        assertRefused(1, "d3 is FAILED; only an ONLINE member is taken offline", "drive", "offline", pool, "d3",
                "--reason", "firmware");
    }

    @Test
    void snapshotRefusals() throws Exception {
        pool = tmp.resolve("snaps");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 7, "--drive-size", "2M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "big", "--layout", "raid5", "--drives", "d3,d4,d5").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "save", "--layout", "raid1", "--drives", "d6,d7").code()).isZero();
        assertRefused(1, "the pool has no save area for snapshots to keep their tracks in", "snapshot", "create", pool, "v", "s1");
        assertRefused(2, "add --yes to confirm", "snapshot", "save-area", pool, "save");
        assertThat(CliRun.of("snapshot", "save-area", pool, "save", "--yes").code()).isZero();
        assertThat(CliRun.of("snapshot", "create", pool, "v", "s1").code()).isZero();
        assertThat(CliRun.of("snapshot", "create", pool, "big", "b1").code()).isZero();
        assertRefused(1, "no volume named 'nope'", "snapshot", "create", pool, "nope", "s2");
        assertRefused(1, "volume v has a snapshot named s1 already", "snapshot", "create", pool, "v", "s1");
        assertRefused(2, "'a/b' is not a valid snapshot name", "snapshot", "create", pool, "v", "a/b");
        assertRefused(2, "'a@b' is not a valid snapshot name", "snapshot", "create", pool, "v", "a@b");
        assertRefused(2, "name the snapshot", "snapshot", "create", pool, "v");
        // a usage error (exit 2), as a drive named twice in --drives is; it exited 1
        assertRefused(2, "volume v is named twice", "snapshot", "create", pool, "v", "v", "--name", "twice");
        assertRefused(1, "volume v has no snapshot named 'nope' (snapshots: s1)", "snapshot", "delete", pool, "v", "nope",
                "--yes");
        assertRefused(2, "add --yes to confirm", "snapshot", "delete", pool, "v", "s1");
        assertRefused(1, "volume v has no snapshot named 'nope'", "snapshot", "restore", pool, "v", "nope", "--yes");
        assertRefused(1, "snapshot big@b1 is of a volume of 4 MiB; v is 2 MiB: restore it onto a volume of the same size",
                "snapshot", "restore", pool, "v", "big@b1", "--yes");
        assertRefused(2, "add --yes to confirm", "snapshot", "restore", pool, "v", "s1");
        Path one = java.nio.file.Files.write(tmp.resolve("one"), new byte[] {1});
        assertRefused(1, "snapshot v@s1 is read-only", "volume", "write", pool, "v@s1", "--offset", 0, "--in", one);
        assertRefused(1, "volume v has no snapshot named 'zz'", "volume", "read", pool, "v@zz", "--offset", 0, "--length", 1);
        assertRefused(1, "is the save area", "snapshot", "create", pool, "save", "x");
        assertRefused(1, "the save area is save and holds 2 snapshots", "snapshot", "save-area", pool, "big", "--yes");
        assertRefused(2, "--throttle must be 0 or more MB/s, not -1", "snapshot", "restore", pool, "v", "s1", "--throttle", "-1", "--yes");
    }

    @Test
    void corruptPoolJson() throws Exception {
        Path json = pool.resolve("pool.json");
        Files.writeString(json, Files.readString(json).replace("\"raid5\"", "\"raid1\""));
        assertRefused(1, "pool.json fails its CRC32C check", "pool", "status", pool);
    }

    @Test
    void truncatedPoolJson() throws Exception {
        Path json = pool.resolve("pool.json");
        byte[] b = Files.readAllBytes(json);
        Files.write(json, java.util.Arrays.copyOf(b, 100));
        assertRefused(1, "pool.json is not valid JSON", "drive", "list", pool);
    }

    @Test
    void wrongImageSize() throws Exception {
        try (var ch = java.nio.channels.FileChannel.open(pool.resolve("drives/d2.img"),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(1 << 20);
        }
        assertRefused(1, "the image of drive d2 is 1048576 bytes, expected 2097152", "volume", "list", pool);
    }

    @Test
    void missingImage() throws Exception {
        Files.delete(pool.resolve("drives/d3.img"));
        assertRefused(1, "the image of drive d3", "pool", "status", pool);
    }

    @Test
    void poolAlreadyOpen() throws Exception {
        try (Pool held = Pool.open(pool)) {
            assertRefused(1, "is already open in another process (pid " + ProcessHandle.current().pid(),
                    "drive", "add", pool);
        }
    }

    @Test
    void aPoolHeldWithoutAControlSocketIsShownAsLastSaved() throws Exception {
        try (Pool held = Pool.open(pool)) {
            held.admin().failDrive("d2");
            held.events().drain(); // the holder's event log is written on its own thread
            Map<String, String> before = CliRun.fingerprint(pool);
            CliRun r = CliRun.of("pool", "status", pool);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("d2").contains("FAILED");
            assertThat(r.err()).contains("is open in another process (pid " + ProcessHandle.current().pid())
                    .contains("this shows its last saved state");
            assertThat(CliRun.fingerprint(pool)).isEqualTo(before);
        }
    }

    /**
     * A second shell's look at a pool another process is writing (a 'pair establish' or a drill waiting in the
     * first shell) said 'volume bcv was not shut down cleanly: 1024 dirty tracks to resync when the pool is next
     * opened for writing' (by hand): nothing was shut down, the holder's writes in flight had their write-intent
     * bits set, and no opening for writing comes while it holds the pool. Said as what it is, the holder's
     * writes, seen as last saved.
     */
    @Test
    void aLookAtAPoolBeingWrittenElsewhereDoesNotCallItAnUncleanShutdown() throws Exception {
        try (Pool held = Pool.open(pool)) {
            held.device("v").write(0, java.nio.ByteBuffer.wrap(new byte[256 << 10])); // write intent set, durable
            Map<String, String> before = CliRun.fingerprint(pool);
            CliRun r = CliRun.of("pool", "status", pool);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).contains("this shows its last saved state").doesNotContain("not shut down cleanly")
                    .doesNotContain("next opened for writing")
                    .containsPattern("volume v: \\d+ tracks are being written by the process that holds the pool; what"
                            + " this shows of them may be older");
            assertThat(CliRun.fingerprint(pool)).isEqualTo(before);
        }
    }

    @Test
    void lookingAtAPoolAfterAnUncleanShutdownChangesNoFile() throws Exception {
        assertThat(CliRun.of("pair", "query", pool).code()).isZero();
        // an unclean shutdown: dirty write-intent tracks and a live journal entry of a degraded volume
        assertRefused(2, "--writes-for -5s is negative", "drill", "run", pool, "--volume", "v", "--drive", "d1", "--reason",
                "reset", "--log", "pointers", "--writes-for", "-5s", "--yes");
        assertRefused(1, "drive d4 is not a member of volume v", "drill", "run", pool, "--volume", "v", "--drive", "d4",
                "--reason", "reset", "--log", "pointers", "--yes");
        assertRefused(2, "--json and --json-lines are two forms of the same output", "drill", "run", pool, "--volume", "v",
                "--drive", "d1", "--reason", "reset", "--log", "pointers", "--yes", "--json", "--json-lines");
        assertThat(CliRun.of("drive", "fail", pool, "d3").code()).isZero();
        Pool p = Pool.open(pool);
        p.volume("v").write(0, java.nio.ByteBuffer.wrap(new byte[70_000]));
        p.abandon(); // the process died: no flush, no clean close
        Files.delete(pool.resolve("meta/v.wib")); // and the write-intent bitmap is lost
        Map<String, String> before = CliRun.fingerprint(pool);
        java.util.List<String> listing = listing(pool);
        for (String[] cmd : new String[][] {{"pool", "status"}, {"drive", "list"}, {"volume", "list"}, {"pair", "query"},
                {"job", "list"}, {"pool", "status", "--json"}}) {
            Object[] args = new Object[cmd.length + 1];
            args[0] = cmd[0];
            args[1] = cmd[1];
            args[2] = pool;
            System.arraycopy(cmd, 2, args, 3, cmd.length - 2);
            CliRun r = CliRun.of(args);
            assertThat(r.code()).as(String.join(" ", cmd) + ": " + r.err()).isLessThanOrEqualTo(1);
            assertThat(CliRun.fingerprint(pool)).as(String.join(" ", cmd)).isEqualTo(before);
            assertThat(listing(pool)).as(String.join(" ", cmd)).isEqualTo(listing);
        }
        CliRun r = CliRun.of("pool", "status", pool);
        assertThat(r.err()).contains("meta/v.wib) is missing").contains("when the pool is next opened for writing");
    }

    @Test
    void lookingAtAFreshPoolCreatesNoLockFileNorEventLog() throws Exception {
        Path fresh = tmp.resolve("fresh");
        assertThat(CliRun.of("pool", "create", fresh, "--drives", 2, "--drive-size", "1M").code()).isZero();
        java.util.List<String> listing = listing(fresh);
        assertThat(CliRun.of("pool", "status", fresh).code()).isZero();
        assertThat(CliRun.of("drive", "list", fresh, "--json").code()).isZero();
        assertThat(listing(fresh)).isEqualTo(listing);
        assertThat(Files.exists(fresh.resolve("pool.lock"))).isFalse();
        assertThat(Files.exists(fresh.resolve("meta/events.jsonl"))).isFalse();
    }

    /** Every name under {@code dir} (files and directories). */
    private static java.util.List<String> listing(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void outOfRangeOffsets() throws Exception {
        assertRefused(2, "outside the device", "volume", "read", pool, "v", "--offset", "4M", "--length", "1");
        assertRefused(2, "'-1' is not a size", "volume", "read", pool, "v", "--offset", "-1", "--length", "1");
        assertRefused(2, "outside the device", "volume", "read", pool, "v", "--offset", "0", "--length", "5M");
        // a write's length is its input's, not known when the offset is refused: it said 'range 9223372036854775800+0'
        assertRefused(2, "volume v: offset 9223372036854775800 is outside the device (size ", "volume", "write", pool,
                "v", "--offset", "9223372036854775800");
    }

    @Test
    void invalidSizesNamesAndLayouts() throws Exception {
        assertRefused(2, "'12Q' is not a size", "drive", "add", pool, "--size", "12Q");
        assertRefused(2, "raid5 needs at least 3 drives, not 2", "volume", "create", pool, "w", "--layout", "raid5",
                "--drives", "d4,d1");
        assertRefused(2, "unknown layout 'raid9'", "volume", "create", pool, "w", "--layout", "raid9", "--drives", "d4");
        assertRefused(2, "'9w' is not a valid volume name", "volume", "create", pool, "9w", "--layout", "raid1",
                "--drives", "d4,d1");
        assertRefused(1, "drive d1 is ONLINE in volume v; a new volume needs SPARE drives", "volume", "create", pool,
                "w", "--layout", "raid1", "--drives", "d4,d1");
        assertRefused(1, "no drive named 'd9'", "drive", "fail", pool, "d9");
        assertRefused(2, "track size must be a power of two", "pool", "create", tmp.resolve("q"), "--drives", "2",
                "--drive-size", "1M", "--track-size", "3K");
        assertRefused(2, "Missing required option: '--drives", "volume", "create", pool, "w", "--layout", "raid1");
    }

    @Test
    void aSizeTooLargeToHoldIsSaidToBeTooLargeNotToBeNoSize() throws Exception {
        // was "'99999999T' is not a size (use a number with an optional K, M, G or T suffix)"
        assertRefused(2, "'99999999T' is too large: sizes stop at 9223372036854775807 bytes (8388607T)", "drive", "add",
                pool, "--size", "99999999T");
        assertRefused(2, "'99999999999999999999' is too large: sizes stop at 9223372036854775807 bytes", "volume", "read",
                pool, "v", "--offset", "99999999999999999999", "--length", "1");
        assertRefused(2, "'12Q' is not a size", "drive", "add", pool, "--size", "12Q"); // still not a size
    }

    /**
     * A word where a number belongs was answered in Java's words: "Invalid value for option
     * '--drives': 'abc' is not an int", "Invalid value for positional parameter at index 2 (MB/s):
     * 'abc' is not a double". An administrator is told what the option takes instead.
     */
    @Test
    void aWordWhereANumberBelongsIsSaidToNeedANumberNotAJavaType() throws Exception {
        assertRefused(2, "--count takes a whole number, not 'x'", "drive", "add", pool, "--count", "x");
        assertRefused(2, "--count takes a whole number up to 2147483647, not '99999999999'", "drive", "add", pool,
                "--count", "99999999999");
        assertRefused(2, "--throttle takes a number of MB/s, not 'fast'", "pair", "establish", pool, "p", "--throttle", "fast");
        assertRefused(2, "'abc' is not a number of MB/s", "job", "throttle", pool, "restore-p", "abc");
        CliRun r = CliRun.of("pool", "create", tmp.resolve("q"), "--drives", "two", "--drive-size", "1M");
        assertThat(CliRun.oneSentence(r)).isEqualTo("splitpoint: --drives takes a whole number, not 'two'");
        assertThat(r.err()).doesNotContain("is not an int", "is not a double");
    }

    @Test
    void aNameStartingWithADashIsRefusedByTheNamingRuleNotAsAMissingParameter() throws Exception {
        // picocli took '-x' for an unknown option and said "Missing required parameter: 'NAME'"
        assertRefused(2, "'-x' is not a valid volume name (a letter, then", "volume", "create", pool, "-x", "--layout",
                "raid1", "--drives", "d4,d1");
        assertRefused(2, "'-v' is not a valid volume name (a letter, then", "volume", "read", pool, "-v", "--offset", "0",
                "--length", "1");
        assertRefused(2, "'-p' is not a valid pair name (a letter, then", "pair", "create", pool, "-p", "--std", "v",
                "--bcv", "v");
        // after a list of names ('snapshot create POOL VOLUME NAME'): picocli said "Unknown option: '-nightly'"
        assertRefused(2, "'-nightly' is not a valid snapshot name (a letter, then", "snapshot", "create", pool, "v",
                "-nightly");
        assertRefused(2, "Unknown option: '--nmae=x'", "snapshot", "create", pool, "v", "--nmae=x"); // a typo stays one
        // a path may begin with '-': say how to write it
        CliRun r = CliRun.of("volume", "list", "-pool");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(CliRun.oneSentence(r)).contains("'-pool'", "./-pool");
    }

    /**
     * Failing a drive while another of its volume's drives is OFFLINE for service (a second failure
     * in the window) makes the volume FAILED: asked for, like the app's confirmation; refused without
     * --yes off a terminal, saying what it would do, and nothing changes.
     */
    @Test
    void failingADriveThatTakesItsVolumeDownNeedsConfirming() throws Exception {
        assertThat(CliRun.of("drive", "offline", pool, "d2", "--reason", "reset", "--log", "pointers").code()).isZero();
        assertRefused(2, "failing drive d3 makes volume v FAILED (2 of its 3 drives unavailable, more than raid5 can lose)",
                "drive", "fail", pool, "d3");
        assertRefused(2, "add --yes to confirm", "drive", "fail", pool, "d3");
        CliRun yes = CliRun.of("drive", "fail", pool, "d3", "--yes");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("drive d3 is FAILED; volume v is FAILED");
    }

    /**
     * Failing a second drive of a RAID 5 whose first is FAILED (not OFFLINE for service) loses the
     * volume's data for good: refused, --yes or not, and the refusal says so and that nothing
     * overrides it. It used to say "data unavailable" and nothing of --yes, whose help promised it
     * confirmed exactly this.
     */
    @Test
    void failingASecondDriveBeyondRedundancyIsRefusedEvenWithYesSayingTheDataIsLost() throws Exception {
        assertThat(CliRun.of("drive", "fail", pool, "d1").code()).isZero();
        assertRefused(1, "failing d2 would make volume v FAILED and lose its data: it already has d1 FAILED",
                "drive", "fail", pool, "d2", "--yes");
        assertRefused(1, "no confirmation overrides this: replace that first (--yes confirms only a failure during a service window",
                "drive", "fail", pool, "d2", "--yes");
        assertThat(CliRun.of("drive", "fail", "--help").out().replaceAll("\\s+", " "))
                .contains("--yes confirm failing a drive while another of its volume's drives is OFFLINE for service");
    }

    @Test
    void refusedOperationsSayWhy() throws Exception {
        assertRefused(1, "drive d1 is ONLINE; only a FAILED or MISSING drive is replaced (fail it first",
                "drive", "replace", pool, "d1");
        assertThat(CliRun.of("drive", "fail", pool, "d1").code()).isZero();
        assertRefused(1, "failing d2 would make volume v FAILED and lose its data: it already has d1 FAILED",
                "drive", "fail", pool, "d2");
    }

    // ---- a refused invocation changes nothing (issue 8, item 11)

    @Test
    void stdinLongerThanWhatFitsIsRefusedBeforeAnyByteIsWritten() throws Exception {
        byte[] in = new byte[2 << 20]; // 2 MiB of input, 1 MiB before the end of the 4 MiB volume
        java.util.Arrays.fill(in, (byte) 0x5a);
        Map<String, String> before = CliRun.fingerprint(pool);
        CliRun r = CliRun.withStdin(in, "volume", "write", pool, "v", "--offset", "3M");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(CliRun.oneSentence(r)).contains("longer than the 1048576 bytes that fit", "nothing was written");
        assertThat(CliRun.fingerprint(pool)).isEqualTo(before);
    }

    @Test
    void stdinThatFitsIsWrittenWhole() throws Exception {
        byte[] in = new byte[(1 << 20) + 12345];
        new java.util.Random(3).nextBytes(in);
        CliRun r = CliRun.withStdin(in, "volume", "write", pool, "v", "--offset", "1M");
        assertThat(r.code()).as(r.err()).isZero();
        try (Pool p = Pool.open(pool)) {
            assertThat(p.read("v", 1 << 20, in.length)).isEqualTo(in);
        }
    }

    @Test
    void stdinLongerThanWhatFitsIsRefusedByTheHolderToo() throws Exception {
        byte[] in = new byte[2 << 20];
        java.util.Arrays.fill(in, (byte) 0x5a);
        try (Holder h = new Holder(pool)) {
            byte[] tail = new byte[1 << 20];
            h.pool.device("v").read(3 << 20, ByteBuffer.wrap(tail));
            CliRun r = CliRun.withStdin(in, "volume", "write", pool, "v", "--offset", "3M");
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(CliRun.oneSentence(r)).contains("nothing was written");
            byte[] after = new byte[1 << 20];
            h.pool.device("v").read(3 << 20, ByteBuffer.wrap(after));
            assertThat(after).isEqualTo(tail);
        }
    }

    @Test
    void poolCreateTheFileSystemCannotHoldLeavesNothingBehind() throws Exception {
        assumeTrue("ext4".equals(Files.getFileStore(tmp).type()), "needs ext4, whose largest file is 16 TiB");
        Path parent = tmp.resolve("new");
        CliRun r = CliRun.of("pool", "create", parent.resolve("pool"), "--drives", 2, "--drive-size", "64T");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(CliRun.oneSentence(r)).contains("File too large", "--drive-size");
        assertThat(parent).as("the directories the create made are gone").doesNotExist();

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        r = CliRun.of("pool", "create", empty, "--drives", 2, "--drive-size", "64T");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(empty).as("a directory that was there stays, empty").isEmptyDirectory();
        CliRun retry = CliRun.of("pool", "create", empty, "--drives", 2, "--drive-size", "1M");
        assertThat(retry.code()).as(retry.err()).isZero();
    }

    @Test
    void poolCreateRemovesTheImagesItMadeWhenALaterOneFails() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("q"));
        StorageFactory real = StorageFactory.real();
        StorageFactory thirdFails = new ForwardingStorage() {
            int creates;

            @Override
            public StorageFile create(Path path) throws IOException {
                if (path.toString().endsWith(".img.new") && ++creates == 3) {
                    StorageFile f = real.create(path); // the .new file exists, then the disk is full
                    f.close();
                    throw new IOException("No space left on device");
                }
                return real.create(path);
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pool.create(dir, 4, 1 << 20, 65536, thirdFails))
                .isInstanceOf(PoolException.class)
                .hasMessageContaining("No space left on device");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void driveAddOfAnExplicitZeroSizeIsRefused() throws Exception {
        // an explicit --size 0 used to add a drive of the pool's drive size, as if --size were not given
        assertRefused(2, "drive size must be at least 1M, not 0 B", "drive", "add", pool, "--size", "0");
    }

    @Test
    void drivesAreNotAddedPastTheMostAPoolHolds() throws Exception {
        // pool create caps a pool at 256 drives; drive add --count 1000 used to take one to 1062
        Path full = tmp.resolve("full");
        assertThat(CliRun.of("pool", "create", full, "--drives", 255, "--drive-size", "1M").code()).isZero();
        Map<String, String> before = CliRun.fingerprint(full);
        CliRun many = CliRun.of("drive", "add", full, "--count", 2);
        assertThat(many.code()).as(many.err()).isEqualTo(2);
        assertThat(CliRun.oneSentence(many)).contains("2 more drives would take the pool past", "at most 1 more can be added");
        Map<String, String> after = new java.util.TreeMap<>(CliRun.fingerprint(full));
        after.keySet().removeAll(java.util.List.of("pool.lock", "meta/events.jsonl")); // made by the writable open
        assertThat(after.equals(before)).as("nothing added when the count does not fit").isTrue();
        assertThat(CliRun.of("drive", "add", full).out()).contains("added drive d256");
        CliRun one = CliRun.of("drive", "add", full);
        assertThat(one.code()).as(one.err()).isEqualTo(2);
        assertThat(CliRun.oneSentence(one)).contains("the pool has 256 drives", "no more can be added");
    }

    @Test
    @Timeout(60) // a serve that binds would run until stopped
    void aSocketInADirectoryThatDoesNotExistIsNamed() throws Exception {
        Path sock = tmp.resolve("nope").resolve("s.sock");
        CliRun r = CliRun.of("serve", pool, "--socket", sock);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        // was the bare "splitpoint: No such file or directory"
        assertThat(CliRun.oneSentence(r)).contains(sock.toString(), "directory " + sock.getParent() + " does not exist");
    }

    /**
     * 'volume read --out' into the pool's own directory truncated what it named: --out POOL/pool.json left a pool
     * that no longer opened, --out POOL/drives/d1.img cut a drive image of the open pool to the bytes read (the next
     * open found the drive FAILED). A path that leads there through a symbolic link is the pool too.
     */
    @Test
    void aReadIsNotWrittenIntoThePoolsOwnFiles() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), pool);
        for (Path out : new Path[] {pool.resolve("pool.json"), pool.resolve("drives").resolve("d1.img"),
                pool.resolve("meta").resolve("new.bin"), link.resolve("pool.json"), link.resolve("x").resolve("y")}) {
            assertRefused(2, "--out " + out + " is inside the pool " + pool, "volume", "read", pool, "v", "--offset", 0,
                    "--length", "64K", "--out", out);
        }
        assertThat(CliRun.of("volume", "list", pool).code()).isZero();
    }

    /**
     * 'volume read' without --out into a full disk or a pipe its reader closed ('> /dev/full', '| head -c 10')
     * exited 0 with nothing said: System.out, a PrintStream, keeps its write errors to itself, so the
     * output was cut short and the command looked like it had succeeded.
     */
    @Test
    void aReadToAStandardOutputThatTakesNoMoreFails() throws Exception {
        java.io.PrintStream before = System.out;
        System.setOut(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        }));
        CliRun r;
        try {
            r = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "2M");
        } finally {
            System.setOut(before);
        }
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(CliRun.oneSentence(r)).contains("cannot write to standard output", "the output is incomplete");
    }

    /** The same read carried out by the pool's holder: the bytes it sent were lost here, and the exit was 0. */
    @Test
    void aReadForwardedToTheHolderFailsWhenStandardOutputTakesNoMore() throws Exception {
        java.io.StringWriter err = new java.io.StringWriter();
        int code;
        try (Holder h = new Holder(pool)) {
            java.io.PrintWriter full = new java.io.PrintWriter(new java.io.Writer() {
                @Override
                public void write(char[] c, int off, int len) throws IOException {
                    throw new IOException("No space left on device");
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
            code = Splitpoint.run(new String[] {"volume", "read", pool.toString(), "v", "--offset", "0", "--length", "2M"},
                    full, new java.io.PrintWriter(err, true));
        }
        CliRun r = new CliRun(code, "", err.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(CliRun.oneSentence(r)).contains("cannot write to standard output", "the output is incomplete");
    }

    @Test
    void aReadToAFullOutputNamesTheFile() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        CliRun r = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "2M", "--out", "/dev/full");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        // was the bare "splitpoint: No space left on device"
        assertThat(CliRun.oneSentence(r)).contains("/dev/full", "No space left on device");
    }

    @Test
    void aWriteTheFileSystemStopsPartWaySaysWhatWasWritten() throws Exception {
        // the drives' file system fills up after 1.5 MiB of image writes: the first megabyte of a 3 MiB write lands
        java.util.concurrent.atomic.AtomicLong budget = new java.util.concurrent.atomic.AtomicLong(3L << 19);
        StorageFactory filling = ForwardingStorage.images(f -> new ForwardingStorage.ForwardingFile(f) {
            @Override
            public void writeFully(long position, ByteBuffer src) throws IOException {
                if (budget.addAndGet(-src.remaining()) < 0) {
                    throw new org.splitpoint.engine.io.NoSpaceException("no space left on the file system holding "
                            + "a drive image (No space left on device)");
                }
                file.writeFully(position, src);
            }
        });
        byte[] data = new byte[3 << 20];
        java.util.Arrays.fill(data, (byte) 0x5a);
        Path in = Files.write(tmp.resolve("in.bin"), data);
        CliRun r;
        CliRun piped;
        // each run from the same start: space is freed before each holder closes, as the sentence asks,
        // so the stripe the full file system left torn is redone at the close's flush (while the file
        // system stays full, that flush fails, and a next write redoes it first and writes nothing: b418656)
        try (Holder h = new Holder(pool, filling)) {
            r = CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", in);
            budget.set(Long.MAX_VALUE / 2);
        }
        budget.set(3L << 19);
        try (Holder h = new Holder(pool, filling)) {
            piped = CliRun.withStdin(data, "volume", "write", pool, "v", "--offset", 0);
            budget.set(Long.MAX_VALUE / 2);
        }
        for (CliRun run : java.util.List.of(r, piped)) {
            assertThat(run.code()).as(run.err()).isEqualTo(1);
            // was "volume v: the write was not done: no space left ...", with its first megabyte written
            assertThat(CliRun.oneSentence(run)).as(run == r ? "--in" : "stdin").contains("1048576 of the 3145728 bytes", "no space left")
                    .doesNotContain("the write was not done");
        }
        CliRun read = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", 1 << 20);
        assertThat(read.out().chars().allMatch(c -> c == 0x5a)).as("the first megabyte was written, as said").isTrue();
    }

    @Test
    void aDriveThatLostWritesAtAFlushIsAProblemThatPoolStatusNamesUntilTheyAreWrittenAgain() throws Exception {
        java.util.concurrent.atomic.AtomicInteger fullFor = new java.util.concurrent.atomic.AtomicInteger();
        StorageFactory d1FlushFails = new ForwardingStorage() {
            @Override
            protected StorageFile wrap(Path path, StorageFile file) {
                if (!path.getFileName().toString().equals("d1.img")) {
                    return file;
                }
                return new ForwardingStorage.ForwardingFile(file) {
                    @Override
                    public void force() throws IOException {
                        if (fullFor.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            throw new org.splitpoint.engine.io.NoSpaceException("no space left on the file system"
                                    + " holding " + path + " (No space left on device)");
                        }
                        file.force();
                    }
                };
            }
        };
        Path in = Files.write(tmp.resolve("in.bin"), new byte[64 * 1024]);
        try (Holder h = new Holder(pool, d1FlushFails)) {
            fullFor.set(2); // this write's flush, and the next one's attempt to write d1's writes again
            CliRun write = CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", in);
            assertThat(write.code()).as("a write whose flush failed: " + write.err()).isEqualTo(1);
            CliRun status = CliRun.of("pool", "status", pool);
            assertThat(status.out()).as(status.err()).contains("health WARNING")
                    .contains("problem: volume v: drive d1 may have lost writes", "once space is freed");
            CliRun again = CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", in);
            assertThat(again.code()).as("a later write's flush fails too: " + again.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(again)).contains("drive d1 lost writes at an earlier flush");
            CliRun healed = CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", in);
            assertThat(healed.code()).as("room again: d1's writes are written again: " + healed.err()).isZero();
            assertThat(CliRun.of("pool", "status", pool).out()).contains("health HEALTHY").doesNotContain("problem:");
        }
    }

    @Test
    void aVerifyWhoseProblemCannotBeRecordedStillSaysWhatItFound() throws Exception {
        try (java.nio.channels.FileChannel d1 = java.nio.channels.FileChannel.open(pool.resolve("drives/d1.img"),
                java.nio.file.StandardOpenOption.WRITE)) {
            d1.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 100); // the parity no longer agrees
        }
        // the file system is full when the verify records the mismatch in meta/problems.json
        StorageFactory full = new ForwardingStorage() {
            @Override
            public StorageFile create(Path path) throws IOException {
                if (path.getFileName().toString().startsWith("problems.json")) {
                    throw new org.splitpoint.engine.io.NoSpaceException("no space left on the file system holding "
                            + path + " (No space left on device)");
                }
                return super.create(path);
            }
        };
        CliRun r;
        try (Holder h = new Holder(pool, full)) {
            r = CliRun.of("volume", "verify", pool, "v");
        }
        // was: exit 1 with only "no space left ... meta/problems.json.tmp", the count never printed
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.out().trim()).isEqualTo("1");
        assertThat(CliRun.oneSentence(r)).contains("1 mismatched sector", "could not be recorded", "no space left");
    }

    // ---- error sentences that say what is wrong (issue 8, item 17)

    @Test
    @Timeout(60) // a serve that binds would run until stopped
    void anNbdHostThatDoesNotResolveIsNamed() throws Exception {
        CliRun r = CliRun.of("serve", pool, "--nbd", "nosuchhost.invalid:10999");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(CliRun.oneSentence(r)).contains("nosuchhost.invalid", "does not resolve");
    }

    /** '--nbd ::1' was refused as "host ':' does not resolve", '--nbd [::1]' as "port must be a number, not '1]'". */
    @Test
    @Timeout(60) // a serve that binds would run until stopped
    void anIpv6NbdAddressIsAskedForInBrackets() throws Exception {
        assertRefused(2, "--nbd '::1' is not HOST:PORT: write an IPv6 address in brackets, as in [::1]:10809", "serve", pool,
                "--nbd", "::1");
        assertRefused(2, "--nbd '[::1]' is not HOST:PORT: write an IPv6 address in brackets, as in [::1]:10809", "serve",
                pool, "--nbd", "[::1]");
        assertRefused(2, "--nbd '[::1:10809' is not HOST:PORT", "serve", pool, "--nbd", "[::1:10809");
    }

    /**
     * 'serve POOL --socket POOL/control.sock' listened for NBD there, then failed to start the pool's control
     * socket on the same path, saying another process answered on it (its own NBD server).
     */
    @Test
    @Timeout(60) // a serve that binds would run until stopped
    void anNbdSocketAtThePoolsControlSocketIsRefused() throws Exception {
        for (String name : new String[] {"control.sock", "control.sock.path"}) {
            assertRefused(2, "--socket " + pool.resolve(name) + " is where the pool's control socket goes", "serve", pool,
                    "--socket", pool.resolve(name));
            assertThat(pool.resolve(name)).doesNotExist();
        }
    }

    @Test
    @Timeout(60) // a serve that binds would run until stopped
    void tcpAndUnixSocketTogetherAreRefused() throws Exception {
        assertRefused(2, "--nbd and --socket are alternatives", "serve", pool, "--nbd", "127.0.0.1:10999",
                "--socket", tmp.resolve("s.sock"));
        assertThat(tmp.resolve("s.sock")).doesNotExist();
    }

    @Test
    @Timeout(60) // a serve that binds would run until stopped
    void anNbdPortInUseNamesTheAddress() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            CliRun r = CliRun.of("serve", pool, "--nbd", address);
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).contains(address, "already in use");
        }
    }

    @Test
    void anInputThatIsNoRegularFileIsNamedAsSuch() throws Exception {
        // it said "does not exist" of /dev/null
        assertRefused(2, "is not a regular file", "volume", "write", pool, "v", "--offset", 0, "--in", "/dev/null");
        assertRefused(2, "is not a regular file", "volume", "write", pool, "v", "--offset", 0, "--in", tmp);
        assertRefused(2, "does not exist", "volume", "write", pool, "v", "--offset", 0, "--in", tmp.resolve("none"));
    }

    @Test
    void readingIntoAMissingDirectoryNamesIt() throws Exception {
        Path out = tmp.resolve("nodir").resolve("x.bin");
        CliRun r = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", 1, "--out", out);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(CliRun.oneSentence(r)).contains("directory " + tmp.resolve("nodir") + " does not exist");
    }

    /** A directory as --out is a usage error, as a directory as --in is: it exited 1 ("cannot use DIR: Is a directory"). */
    @Test
    void readingIntoADirectoryIsAUsageError() throws Exception {
        assertRefused(2, "--out " + tmp + " is a directory; give the path of a file to write what is read to, e.g. "
                + tmp.resolve("v.bin"), "volume", "read", pool, "v", "--offset", 0, "--length", 1, "--out", tmp);
        assertThat(tmp.resolve("v.bin")).doesNotExist();
    }

    @Test
    void aReadOnlyPoolJsonIsNamedWithItsCause() throws Exception {
        try (ReadOnly ro = ReadOnly.make(pool.resolve("pool.json"))) {
            CliRun r = CliRun.of("drive", "fail", pool, "d4");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).contains(pool.resolve("pool.json").toString())
                    .containsAnyOf("permission denied on", "does not permit changing");
        }
    }

    @Test
    void aReadOnlyImageIsNamedWithItsCause() throws Exception {
        try (ReadOnly ro = ReadOnly.make(pool.resolve("drives/d2.img"))) {
            assertThat(CliRun.of("volume", "list", pool).code()).as("looking needs no write").isZero();
            CliRun r = CliRun.of("volume", "verify", pool, "v");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).contains(pool.resolve("drives/d2.img").toString())
                    .containsAnyOf("permission denied on", "does not permit changing");
        }
    }

    @Test
    void aReadOnlyPoolDirectoryIsNamedWithItsCauseNotAStackTrace() throws Exception {
        Path q = tmp.resolve("q");
        CliRun.pairedPool(q, "1M");
        assertThat(CliRun.of("pair", "establish", q, "p").code()).isZero();
        try (ReadOnly ro = ReadOnly.make(q)) {
            CliRun r = CliRun.of("pair", "split", q, "p");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).contains(q.toString()).containsAnyOf("permission denied on", "does not permit changing");
        }
    }

    @Test
    void aThrottleBelowOneBytePerSecondIsRefused() throws Exception {
        assertRefused(2, "below 1 byte/s", "pair", "establish", pool, "p", "--throttle", "0.0000001");
    }

    /** 1e99 was taken, capped and shown as "limit 9223372036854.8 MB/s" (helper 52). */
    @Test
    void aThrottleBeyondAnyDiskIsRefused() throws Exception {
        assertRefused(2, "--throttle 1e30 MB/s is above 1000000 MB/s (1 TB/s), the largest"
                + " limit; give 0 for no limit", "pair", "establish", pool, "p", "--throttle", "1e30");
        assertRefused(2, "the rate 2e6 MB/s is above 1000000 MB/s", "job", "throttle", pool, "establish-p", "2e6");
    }

    /**
     * A rate too large for a double, or none at all, is refused quoting what was typed: '--bulk-throttle 1e309'
     * said "must be 0 or more MB/s, not Infinity", '1e300' a 301-digit number, and 'Infinity', 'NaN', '0x1p3'
     * and '5f' were taken as Java reads them (5f as 5 MB/s).
     */
    @Test
    void aThrottleThatIsNoFiniteDecimalIsRefusedAsTyped() throws Exception {
        Path store = tmp.resolve("store");
        String[][] options = {
                {"backup", "restore", pool.toString(), "v", "--store", store.toString(), "--yes", "--bulk-throttle"},
                {"backup", "create", pool.toString(), "v", "--store", store.toString(), "--full", "--throttle"},
                {"pair", "establish", pool.toString(), "p", "--throttle"},
                {"snapshot", "restore", pool.toString(), "v", "s1", "--yes", "--throttle"},
                {"drive", "replace", pool.toString(), "d1", "--throttle"},
                {"volume", "rebuild-from-backup", pool.toString(), "v", "--throttle"},
        };
        for (String[] command : options) {
            String option = command[command.length - 1];
            for (String huge : new String[] {"1e309", "1e300", "1E+999999999"}) {
                assertRefused(2, option + " " + huge + " MB/s is above 1000000 MB/s (1 TB/s), the largest limit",
                        with(command, huge));
            }
            for (String word : new String[] {"Infinity", "NaN", "-Infinity", "0x1p3", "5f", "1e", ""}) {
                assertRefused(2, option + " takes a number of MB/s, not '" + word + "'", with(command, word));
            }
            assertRefused(2, option + " must be 0 or more MB/s, not -1e309", with(command, "-1e309"));
        }
        assertRefused(2, "the rate 1e309 MB/s is above 1000000 MB/s", "job", "throttle", pool, "establish-p", "1e309");
        assertRefused(2, "'NaN' is not a number of MB/s", "job", "throttle", pool, "establish-p", "NaN");
    }

    /**
     * A --drives list that names no drive, or has nothing between two commas or at an end, is a usage error quoting
     * it: '--drives ""' counted as one drive named '' ("raid1 needs at least 2 drives, not 1"), 'd1,,d2' and ',d1'
     * asked for a drive named '' (exit 1, as if the pool lacked one), and 'd1, d2' for one named ' d2'.
     */
    @Test
    void aDriveListWithAnEmptyNameIsAUsageError() throws Exception {
        Path store = tmp.resolve("store");
        for (String list : new String[] {"", " ", ","}) {
            assertRefused(2, "--drives '" + list + "' " + (list.isBlank() ? "names no drive" : "has an empty name"),
                    "volume", "create", pool, "w", "--layout", "raid1", "--drives", list);
        }
        for (String list : new String[] {"d4,,d1", ",d4", "d4,", "d4, ,d1"}) {
            assertRefused(2, "--drives '" + list + "' has an empty name (nothing between two commas or at an end)",
                    "volume", "create", pool, "w", "--layout", "raid1", "--drives", list);
            assertRefused(2, "--drives '" + list + "' has an empty name", "volume", "journal", "enable", pool, "v",
                    "--drives", list, "--store", store);
            assertRefused(2, "--drives '" + list + "' has an empty name", "volume", "rebuild-from-backup", pool, "v",
                    "--drives", list);
        }
        // blanks around a name are no part of it (no name holds one)
        CliRun r = CliRun.of("volume", "create", pool, "w", "--layout", "raid1", "--drives", " d4 , d1x ");
        assertThat(CliRun.oneSentence(r)).contains("no drive named 'd1x'");
        assertThat(CliRun.of("drive", "add", pool).code()).isZero();
        r = CliRun.of("volume", "create", pool, "w", "--layout", "raid1", "--drives", " d4 ", "--drives", "d5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("raid1 over d4,d5");
    }

    /**
     * Under a locale that is not UTF-8 (LANG unset, C, POSIX), a path with a letter outside ASCII reaches Java as
     * 'p??' and cannot name a file: that is said, with what to do, not in Java's words ("cannot convert 'p??' to
     * interface java.nio.file.Path (java.nio.file.InvalidPathException: Malformed input or input contains unmappable
     * characters: p??)").
     */
    @Test
    void aPathTheLocaleCannotEncodeIsSaidInWords() throws Exception {
        for (Object[] args : new Object[][] {{"pool", "status", tmp.resolve("p\u00e9")},
                {"volume", "read", pool, "v", "--offset", 0, "--length", 1, "--out", tmp.resolve("\u00e9.bin")}}) {
            ProcessBuilder pb = new ProcessBuilder(Tools.splitpoint(args)).redirectErrorStream(true);
            pb.environment().put("LANG", "C");
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(said).isEqualTo(2);
            assertThat(said).contains("holds characters this system's locale (character set ")
                    .contains("cannot name a file with; run the command under a UTF-8 locale, e.g. LC_ALL=C.UTF-8")
                    .contains(args[0].equals("pool") ? "splitpoint: the path '" : "splitpoint: --out '")
                    .doesNotContain("InvalidPathException", "cannot convert");
        }
    }

    private static Object[] with(String[] command, String value) {
        Object[] args = java.util.Arrays.copyOf(command, command.length + 1, Object[].class);
        args[command.length] = value;
        return args;
    }
}
