package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.pair.PairState;

/**
 * Real clients against the pool served over NBD (nbdinfo, nbdcopy, qemu-img, fio), and the CLI
 * carried out by the holding process over the control socket, from a second JVM.
 */
class ServeTest {

    @TempDir
    Path tmp;

    private Path pool() {
        Path p = tmp.resolve("pool");
        CliRun.of("pool", "create", p, "--drives", 6, "--drive-size", "16M");
        CliRun.of("volume", "create", p, "prod", "--layout", "raid5", "--drives", "d1,d2,d3");
        CliRun.of("volume", "create", p, "copy", "--layout", "raid5", "--drives", "d4,d5,d6");
        CliRun.of("pair", "create", p, "p1", "--std", "prod", "--bcv", "copy");
        return p;
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void nbdToolsCopyVolumesInAndOut() throws Exception {
        assumeTrue(Tools.installed("nbdcopy") && Tools.installed("qemu-img") && Tools.installed("nbdinfo"),
                "needs libnbd-bin and qemu-utils (.ci/run installs them)");
        Path p = pool();
        byte[] image = new byte[32 << 20];
        new Random(4).nextBytes(image);
        Path in = Files.write(tmp.resolve("in.img"), image);
        try (Holder h = new Holder(p)) {
            Tools.Result list = Tools.run(List.of("nbdinfo", "--list", h.uri("")));
            assertThat(list.out()).contains("export=\"prod\"", "export=\"copy\"", "description: raid5 volume, OPTIMAL, BCV of pair p1");
            Tools.Result conv = Tools.run(List.of("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", in.toString(), h.uri("prod")));
            assertThat(conv.code()).as(conv.out()).isZero();
            byte[] got = new byte[image.length];
            h.pool.device("prod").read(0, ByteBuffer.wrap(got));
            assertThat(sha(got)).isEqualTo(sha(image));
            Path out = tmp.resolve("out.img");
            Tools.Result copy = Tools.run(List.of("nbdcopy", h.uri("prod"), out.toString()));
            assertThat(copy.code()).as(copy.out()).isZero();
            assertThat(sha(Files.readAllBytes(out))).isEqualTo(sha(image));
        }
    }

    @Test
    void servesOnAUnixSocketToo() throws Exception {
        assumeTrue(Tools.installed("nbdinfo"), "needs libnbd-bin (.ci/run installs it)");
        Path p = pool();
        Path sock = tmp.resolve("nbd.sock");
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(p);
             org.splitpoint.engine.nbd.NbdServer s = org.splitpoint.engine.nbd.NbdServer.unix(sock,
                     new org.splitpoint.engine.pool.PoolExports(pool), m -> { })) {
            Tools.Result info = Tools.run(List.of("nbdinfo", "--size", "nbd+unix:///prod?socket=" + sock));
            assertThat(info.code()).as(info.out()).isZero();
            assertThat(info.out().trim()).isEqualTo(String.valueOf(32 << 20));
        }
        assertThat(Files.exists(sock)).isFalse();
    }

    private static List<String> fio(String uri, String rw, String pattern, boolean verifyOnly) {
        List<String> cmd = new java.util.ArrayList<>(List.of("fio", "--name=set", "--ioengine=nbd", "--uri=" + uri,
                "--rw=" + rw, "--bs=64k", "--size=32m", "--iodepth=8", "--verify=pattern",
                "--verify_pattern=" + pattern, "--verify_state_save=0"));
        cmd.add(verifyOnly ? "--verify_only" : "--do_verify=0");
        return cmd;
    }

    @Test
    void fioVerifiesTheRightDataSetThroughSplitAndProtectedRestore() throws Exception {
        assumeTrue(Tools.installed("fio"), "needs fio (.ci/run installs it)");
        String a = "0x41410001";
        String b = "0x42420002";
        Path p = pool();
        try (Holder h = new Holder(p)) {
            // set A is written while the pair establishes (the copy is slowed so they overlap)
            assertThat(CliRun.of("pair", "establish", p, "p1", "--no-wait", "--throttle", "8").code()).isZero();
            Tools.Result writeA = Tools.run(fio(h.uri("prod"), "write", a, false));
            assertThat(writeA.code()).as(writeA.out()).isZero();
            assertThat(Tools.run(Tools.splitpoint("wait", p)).code()).isZero();
            assertThat(h.pool.pairs().get("p1").state()).isEqualTo(PairState.Synchronized);
            assertThat(CliRun.of("pair", "split", p, "p1").code()).isZero();

            Tools.Result bcvA = Tools.run(fio(h.uri("copy"), "write", a, true));
            assertThat(bcvA.code()).as("the BCV holds set A: " + bcvA.out()).isZero();
            Tools.Result writeB = Tools.run(fio(h.uri("prod"), "write", b, false));
            assertThat(writeB.code()).as(writeB.out()).isZero();
            assertThat(Tools.run(fio(h.uri("prod"), "write", a, true)).code()).as("the verifier tells B from A").isNotZero();

            CliRun restore = CliRun.of("pair", "restore", p, "p1", "--protect", "--no-wait", "--throttle", "2", "--yes");
            assertThat(restore.code()).as(restore.err()).isZero();
            assertThat(h.pool.pairs().get("p1").state()).as("restoring when fio starts").isEqualTo(PairState.RestInProg);
            long copiedBefore = h.pool.pairs().get("p1").onDemandReads();
            Tools.Result during = Tools.run(fio(h.uri("prod"), "write", a, true));
            // fio's reads restore the tracks they read (host reads before the copier): on a fast machine they can
            // finish the restore before fio does, so the state after is RestInProg or Split; the reads served from
            // the BCV below are what shows fio read during the restore
            assertThat(h.pool.pairs().get("p1").state()).isIn(PairState.RestInProg, PairState.Split);
            assertThat(during.code()).as("the STD reads A during the restore: " + during.out()).isZero();
            assertThat(during.out()).contains("err= 0");
            assertThat(h.pool.pairs().get("p1").onDemandReads()).as("reads were served from the BCV").isGreaterThan(copiedBefore);

            h.pool.activeJobs().forEach(j -> j.setThrottle(0));
            assertThat(Tools.run(Tools.splitpoint("wait", p)).code()).isZero();
            assertThat(h.pool.pairs().get("p1").state()).isEqualTo(PairState.Split);
            assertThat(h.pool.pairs().get("p1").isProtected()).isTrue();
            assertThat(Tools.run(fio(h.uri("prod"), "write", a, true)).code()).as("the STD reads A after the restore").isZero();
            assertThat(Tools.run(fio(h.uri("copy"), "write", a, true)).code()).as("the protected BCV still holds A").isZero();
        }
    }

    /**
     * A snapshot is exported read-only as VOLUME@NAME: {@code qemu-img convert} of it equals the
     * image at snapshot time while fio writes over the volume, and a restore to it (served on
     * demand while it runs) gives fio's verifier the old data set back.
     */
    @Test
    void qemuImgCopiesASnapshotExportWhileFioWritesTheVolume() throws Exception {
        assumeTrue(Tools.installed("fio") && Tools.installed("qemu-img") && Tools.installed("nbdinfo"),
                "needs fio, qemu-utils and libnbd-bin (.ci/run installs them)");
        Path p = tmp.resolve("pool");
        CliRun.of("pool", "create", p, "--drives", 8, "--drive-size", "16M");
        CliRun.of("volume", "create", p, "prod", "--layout", "raid5", "--drives", "d1,d2,d3");
        // room for two full sets: "before" keeps set A while fio writes B, the safety snapshot keeps B
        CliRun.of("volume", "create", p, "save", "--layout", "raid5", "--drives", "d4,d5,d6,d7,d8");
        assertThat(CliRun.of("snapshot", "save-area", p, "save", "--yes").code()).isZero();
        String a = "0x41410001";
        String b = "0x42420002";
        try (Holder h = new Holder(p)) {
            Tools.Result writeA = Tools.run(fio(h.uri("prod"), "write", a, false));
            assertThat(writeA.code()).as(writeA.out()).isZero();
            byte[] atSnap = new byte[32 << 20];
            h.pool.device("prod").read(0, ByteBuffer.wrap(atSnap));
            CliRun snap = CliRun.of("snapshot", "create", p, "prod", "before");
            assertThat(snap.code()).as(snap.err()).isZero();
            Tools.Result list = Tools.run(List.of("nbdinfo", "--list", h.uri("")));
            assertThat(list.out()).contains("export=\"prod@before\"").doesNotContain("export=\"save\"");
            Thread writer = new Thread(() -> {
                try {
                    Tools.run(fio(h.uri("prod"), "randwrite", b, false));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            Path out = tmp.resolve("snap.img");
            Tools.Result conv = Tools.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "raw", h.uri("prod@before"),
                    out.toString()));
            writer.join();
            assertThat(conv.code()).as(conv.out()).isZero();
            assertThat(sha(Files.readAllBytes(out))).isEqualTo(sha(atSnap));
            assertThat(Tools.run(fio(h.uri("prod"), "write", b, true)).code()).as("the volume holds set B").isZero();
            Tools.Result ro = Tools.run(fio(h.uri("prod@before"), "write", b, false));
            assertThat(ro.code()).as("a snapshot export is read-only").isNotZero();

            CliRun restore = CliRun.of("snapshot", "restore", p, "prod", "before", "--no-wait", "--throttle", "2", "--yes");
            assertThat(restore.code()).as(restore.err()).isZero();
            Tools.Result during = Tools.run(fio(h.uri("prod"), "write", a, true));
            assertThat(during.code()).as("set A is read back during the restore: " + during.out()).isZero();
            assertThat(h.pool.snapshots().restoreOf("prod")).as("still restoring while fio verified").isNotNull();
            assertThat(h.pool.snapshots().restoreOf("prod").onDemandFetches()).isPositive();
            h.pool.activeJobs().forEach(j -> j.setThrottle(0));
            assertThat(Tools.run(Tools.splitpoint("wait", p)).code()).isZero();
            assertThat(Tools.run(fio(h.uri("prod"), "write", a, true)).code()).as("set A after the restore").isZero();
            String safety = h.pool.snapshots().list("prod").stream().map(i -> i.name())
                    .filter(n -> n.startsWith("before-restore")).findFirst().orElseThrow();
            Tools.Result safe = Tools.run(fio(h.uri("prod@" + safety), "write", b, true));
            assertThat(safe.code()).as("the safety snapshot holds set B: " + safe.out()).isZero();
        }
    }

    @Test
    void fioVerifiesThroughARepositoryDrillWithASecondFailure() throws Exception {
        assumeTrue(Tools.installed("fio"), "needs fio (.ci/run installs it)");
        String a = "0x51510001";
        String b = "0x52520002";
        Path p = pool();
        try (Holder h = new Holder(p)) {
            Tools.Result writeA = Tools.run(fio(h.uri("prod"), "write", a, false));
            assertThat(writeA.code()).as(writeA.out()).isZero();
            // the drill runs in the holder (over the control socket), writing nothing itself: the
            // window stays open 8 s, and d1 fails 1 s into it
            java.util.concurrent.CompletableFuture<Tools.Result> drill = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return Tools.run(Tools.splitpoint("drill", "run", p, "--volume", "prod", "--drive", "d2", "--reason", "reset",
                            "--log", "repository", "--writes-for", "8s", "--second-failure-after", "1s", "--no-writes", "--json"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long until = System.nanoTime() + 20_000_000_000L;
            while (h.pool.snapshot().drive("d2").service() == null && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(h.pool.snapshot().drive("d2").service()).as("the window is open; the drill: "
                    + (drill.isDone() ? drill.get().out() : "still running")).isNotNull();
            Tools.Result writeB = Tools.run(fio(h.uri("prod"), "write", b, false)); // in the window, across the failure
            assertThat(writeB.code()).as(writeB.out()).isZero();
            Tools.Result inWindow = Tools.run(fio(h.uri("prod"), "write", b, true));
            Tools.Result d = drill.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(d.code()).as(d.out()).isZero();
            var result = Json.MAPPER.readTree(d.out().substring(d.out().indexOf('{')));
            assertThat(result.get("secondFailure").asText()).isEqualTo("d1");
            assertThat(result.get("bytesLost").asLong()).isZero();
            assertThat(result.get("verifyMismatches").asLong()).isZero();
            Tools.Result after = Tools.run(fio(h.uri("prod"), "write", b, true));
            assertThat(after.code()).as("every acknowledged write reads back: " + after.out()).isZero();
            assertThat(after.out()).contains("err= 0");
            assertThat(inWindow.out()).as("verified during the window too").contains("err= 0");
            assertThat(h.pool.volume("prod").state().name()).isEqualTo("OPTIMAL");
        }
    }

    /**
     * qemu (with reconnect-delay) keeps a connection to a split BCV and writes; an establish makes
     * the BCV read-only, so the server disconnects it, saying why in the events; qemu's next write
     * waits through its reconnects while the export stays read-only, and is done once a split
     * makes it writable again, over a connection that negotiated the new writability.
     */
    @Test
    @Timeout(120)
    void qemuReconnectsWhenTheBcvChangesWritabilityAndWritesOnceItIsWritable() throws Exception {
        assumeTrue(Tools.installed("qemu-io") && Tools.installed("nbdinfo"), "needs qemu-utils and libnbd-bin");
        Path p = pool();
        try (Holder h = new Holder(p)) {
            Process q = new ProcessBuilder("qemu-io", "--image-opts", "driver=nbd,server.type=inet,"
                    + "server.host=127.0.0.1,server.port=" + h.nbd.port() + ",export=copy,reconnect-delay=30")
                    .redirectErrorStream(true).start();
            StringBuffer out = new StringBuffer();
            Thread pump = pump(q, out);
            var in = new java.io.PrintStream(q.getOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
            try {
                in.println("write -P 0x41 0 64k");
                awaitCount(out, "wrote 65536/65536", 1, 20_000);
                assertThat(CliRun.of("pair", "establish", p, "p1").code()).isZero();
                h.pool.events().drain();
                awaitEvent(p, "on copy: the export became read-only (raid5 volume, OPTIMAL, BCV of pair p1 (S", 5_000);
                in.println("write -P 0x42 0 64k"); // qemu reconnects; the export is read-only: it waits
                Thread.sleep(1500);
                assertThat(count(out, "wrote 65536/65536")).as("no write while the BCV is read-only: " + out).isEqualTo(1);
                assertThat(CliRun.of("pair", "split", p, "p1").code()).isZero();
                awaitCount(out, "wrote 65536/65536", 2, 25_000);
                assertThat(out.toString()).doesNotContain("failed");
            } finally {
                in.println("quit");
                in.close();
                if (!q.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    q.destroyForcibly();
                }
                pump.join(5000);
            }
            byte[] got = new byte[65536];
            h.pool.device("copy").read(0, ByteBuffer.wrap(got));
            byte[] want = new byte[65536];
            java.util.Arrays.fill(want, (byte) 0x42);
            assertThat(got).as("qemu's write after the split is on the BCV").isEqualTo(want);
            Tools.Result info = Tools.run(List.of("nbdinfo", h.uri("copy")));
            assertThat(info.out()).contains("is_read_only: false");
            h.pool.events().drain();
        }
        assertThat(Files.readString(p.resolve("meta/events.jsonl")))
                .containsPattern("client 127\\.0\\.0\\.1:\\d+ disconnected from copy after \\d+ requests: the export became read-only")
                .contains("left within a second without a request; more such brief connections are counted, not logged")
                .contains("client 127.0.0.1 keeps reconnecting to the read-only export copy and leaving without a request");
    }

    /** Copies what {@code p} prints into {@code out} as it comes, on a thread of its own (started). */
    private static Thread pump(Process p, StringBuffer out) {
        Thread pump = new Thread(() -> {
            try {
                byte[] b = new byte[4096];
                for (int n = p.getInputStream().read(b); n > 0; n = p.getInputStream().read(b)) {
                    out.append(new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        pump.start();
        return pump;
    }

    private static int count(CharSequence s, String part) {
        int n = 0;
        for (int i = s.toString().indexOf(part); i >= 0; i = s.toString().indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static void awaitCount(CharSequence s, String part, int n, long millis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000;
        while (count(s, part) < n && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(count(s, part)).as("'" + part + "' in: " + s).isGreaterThanOrEqualTo(n);
    }

    private static void awaitEvent(Path pool, String part, long millis) throws Exception {
        long until = System.nanoTime() + millis * 1_000_000;
        Path events = pool.resolve("meta/events.jsonl");
        while (!Files.readString(events).contains(part) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(events)).contains(part);
    }

    @Test
    void commandsFromAnotherProcessRunInTheHolder() throws Exception {
        Path p = pool();
        String direct = CliRun.of("pool", "status", p).out();
        try (Holder h = new Holder(p)) {
            Tools.Result status = Tools.run(Tools.splitpoint("pool", "status", p));
            assertThat(status.code()).as(status.out()).isZero();
            assertThat(status.out()).isEqualTo(direct);
            Tools.Result est = Tools.run(Tools.splitpoint("pair", "establish", p, "p1"));
            assertThat(est.code()).as(est.out()).isZero();
            assertThat(est.out()).contains("establish p1: DONE");
            assertThat(h.pool.pairs().get("p1").state()).isEqualTo(PairState.Synchronized);
            Tools.Result refused = Tools.run(Tools.splitpoint("pair", "establish", p, "p1"));
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.out()).contains("pair p1 is already Synchronized (established)");
            Tools.Result write = Tools.run(Tools.splitpoint("volume", "write", p, "prod", "--offset", "0"),
                    "through the holder".getBytes());
            assertThat(write.code()).as(write.out()).isZero();
            byte[] got = new byte[18];
            h.pool.device("prod").read(0, ByteBuffer.wrap(got));
            assertThat(new String(got)).isEqualTo("through the holder");
            Tools.Result usage = Tools.run(Tools.splitpoint("pair", "split", p));
            assertThat(usage.code()).isEqualTo(2);
            h.pool.events().drain();
        }
        assertThat(Files.readString(p.resolve("meta/events.jsonl"))).contains("command received: splitpoint pair establish");
        assertThat(Files.exists(p.resolve("control.sock"))).isFalse();
    }

    @Test
    void theControlSocketIsOwnerOnlyAndRefusesOtherUsers() throws Exception {
        Path p = pool();
        try (Holder h = new Holder(p, "someone-else")) {
            assertThat(Files.getPosixFilePermissions(p.resolve("control.sock")))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            CliRun r = CliRun.of("pool", "status", p);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("the pool is held by user someone-else; user " + System.getProperty("user.name")
                    + " may not use its control socket");
        }
    }

    // ---- socket files: never delete what is not ours (issue 8, item 8)

    @Test
    @Timeout(60) // before the fix serve took the path and kept serving
    void serveRefusesASocketPathThatIsAnotherFile() throws Exception {
        Path p = pool();
        Path other = tmp.resolve("other");
        CliRun.of("pool", "create", other, "--drives", 1, "--drive-size", "1M");
        Path victim = other.resolve("pool.json");
        byte[] before = Files.readAllBytes(victim);
        CliRun r = CliRun.of("serve", p, "--socket", victim);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(CliRun.oneSentence(r)).contains(victim.toString(), "is not a socket", "left as it is");
        assertThat(Files.readAllBytes(victim)).isEqualTo(before);
        assertThat(Files.exists(p.resolve("control.sock"))).as("serve stopped before holding the pool").isFalse();
    }

    @Test
    @Timeout(60) // before the fix serve took the path and kept serving
    void serveRefusesASocketInUseByAnotherProcess() throws Exception {
        Path p = pool();
        Path sock = tmp.resolve("busy.sock");
        try (var other = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            other.bind(java.net.UnixDomainSocketAddress.of(sock));
            CliRun r = CliRun.of("serve", p, "--socket", sock);
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).contains(sock.toString(), "in use by another process");
            assertThat(Files.exists(sock)).isTrue();
            try (var c = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
                assertThat(c.isConnected()).as("the other server still answers").isTrue();
            }
        }
    }

    @Test
    void aStaleSocketIsReplacedAndOnlyOurOwnIsRemovedAtClose() throws Exception {
        Path p = pool();
        Path sock = tmp.resolve("nbd.sock");
        var dead = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        dead.bind(java.net.UnixDomainSocketAddress.of(sock));
        dead.close(); // the file stays: a server that died
        assertThat(Files.exists(sock)).isTrue();
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(p)) {
            var s = org.splitpoint.engine.nbd.NbdServer.unix(sock, new org.splitpoint.engine.pool.PoolExports(pool), m -> { });
            try (var c = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
                assertThat(c.isConnected()).isTrue();
            }
            // someone puts another file where our socket was; closing must not remove it
            Files.delete(sock);
            Files.writeString(sock, "not ours");
            s.close();
            assertThat(Files.readString(sock)).isEqualTo("not ours");
        }
    }

    @Test
    void aFileWhereTheControlSocketGoesIsRefusedAndKept() throws Exception {
        Path p = pool();
        Path sock = p.resolve("control.sock");
        Files.writeString(sock, "precious");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Holder(p).close())
                .hasMessageContaining(sock.toString())
                .hasMessageContaining("is not a socket");
        assertThat(Files.readString(sock)).isEqualTo("precious");
    }

    // ---- any pool path can be held (issue 8, item 13)

    @Test
    void aPoolDeeperThanTheSocketPathLimitIsHeldAndTakesForwardedCommands() throws Exception {
        Path deep = tmp;
        while (deep.toString().length() < 160) {
            deep = deep.resolve("a-rather-long-directory-name");
        }
        Path p = deep.resolve("pool");
        assertThat(CliRun.of("pool", "create", p, "--drives", 2, "--drive-size", "1M").code()).isZero();
        assertThat(CliRun.of("volume", "create", p, "m", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        String direct = CliRun.of("volume", "list", p).out();
        Path pointer = p.resolve("control.sock.path");
        Path sock;
        try (Holder h = new Holder(p)) {
            assertThat(Files.exists(p.resolve("control.sock"))).isFalse();
            sock = Path.of(Files.readString(pointer).trim());
            assertThat(sock.isAbsolute()).isTrue();
            assertThat(sock.toString().length()).isLessThan(108);
            assertThat(Files.getPosixFilePermissions(sock))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            assertThat(Files.getPosixFilePermissions(sock.getParent()))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                            java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
            CliRun inHolder = CliRun.of("volume", "list", p); // refused as "already open" unless forwarded
            assertThat(inHolder.code()).as(inHolder.err()).isZero();
            assertThat(inHolder.out()).isEqualTo(direct);
            Tools.Result fromAnotherProcess = Tools.run(Tools.splitpoint("pool", "status", p));
            assertThat(fromAnotherProcess.code()).as(fromAnotherProcess.out()).isZero();
            h.pool.events().drain();
        }
        // answered by the holder (the code above), and as a query not logged (ForwardedQueryEventsTest)
        assertThat(Files.readString(p.resolve("meta/events.jsonl"))).doesNotContain("command received: splitpoint volume list");
        assertThat(Files.exists(pointer)).isFalse();
        assertThat(Files.exists(sock)).isFalse();
    }

    // ---- protocol: default export, block status, zeroing, trim (issue 14, item 7) --------------------

    /** A pool for the protocol tests: prod and copy (raid5, a pair) and a save area, 16 MiB drives. */
    private Path protocolPool() {
        Path p = tmp.resolve("pool");
        CliRun.of("pool", "create", p, "--drives", 8, "--drive-size", "16M");
        CliRun.of("volume", "create", p, "prod", "--layout", "raid5", "--drives", "d1,d2,d3");
        CliRun.of("volume", "create", p, "copy", "--layout", "raid5", "--drives", "d4,d5,d6");
        CliRun.of("volume", "create", p, "save", "--layout", "raid1", "--drives", "d7,d8");
        assertThat(CliRun.of("snapshot", "save-area", p, "save", "--yes").code()).isZero();
        CliRun.of("pair", "create", p, "p1", "--std", "prod", "--bcv", "copy");
        return p;
    }

    /** The extents of {@code nbdinfo --map[=CONTEXT] URI}: {offset, length, type} per line. */
    private static List<long[]> map(String uri, String context) throws Exception {
        Tools.Result r = Tools.run(List.of("nbdinfo", context == null ? "--map" : "--map=" + context, uri));
        assertThat(r.code()).as(r.out()).isZero();
        List<long[]> out = new java.util.ArrayList<>();
        for (String line : r.out().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            out.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
        return out;
    }

    /** The tracks (64 KiB) whose extents have {@code type} set, from a map. */
    private static java.util.SortedSet<Long> tracksWith(List<long[]> map, long type) {
        java.util.SortedSet<Long> out = new java.util.TreeSet<>();
        for (long[] e : map) {
            if ((e[2] & type) != 0) {
                for (long t = e[0] / 65536; t < (e[0] + e[1]) / 65536; t++) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    @Test
    void nbdinfoMapsZerosDataChangedSinceASnapshotAndAPairsInvalidTracks() throws Exception {
        assumeTrue(Tools.installed("nbdinfo") && Tools.installed("qemu-io"), "needs libnbd-bin and qemu-utils");
        Path p = protocolPool();
        try (Holder h = new Holder(p)) {
            byte[] data = new byte[1 << 20];
            new Random(21).nextBytes(data);
            h.pool.device("prod").write(4 << 20, ByteBuffer.wrap(data));
            List<long[]> m = map(h.uri("prod"), null);
            assertThat(m).as("base:allocation").containsExactly(new long[] {0, 4 << 20, 2}, new long[] {4 << 20, 1 << 20, 0},
                    new long[] {5 << 20, 27 << 20, 2});
            assertThat(Tools.run(Tools.splitpoint("pair", "establish", p, "p1")).code()).isZero();
            assertThat(Tools.run(Tools.splitpoint("pair", "split", p, "p1")).code()).isZero();
            h.pool.snapshots().create("prod", "s1");
            // after the snapshot and the split: a write, a zeroing and a trim, from qemu-io
            Tools.Result io = Tools.run(List.of("qemu-io", "-f", "raw", "-c", "write -P 0x5a 8M 64k",
                    "-c", "write -z 4M 64k", "-c", "discard 12M 2M", h.uri("prod")));
            assertThat(io.code()).as(io.out()).isZero();
            h.pool.device("copy").write(20 << 20, ByteBuffer.wrap(new byte[] {1}));
            java.util.SortedSet<Long> changed = tracksWith(map(h.uri("prod"), "splitpoint:changed-since:s1"), 1);
            java.util.SortedSet<Long> want = new java.util.TreeSet<>(List.of(128L, 64L));
            for (long t = 192; t < 224; t++) {
                want.add(t);
            }
            assertThat(changed).isEqualTo(want);
            List<long[]> invalid = map(h.uri("copy"), "splitpoint:invalid");
            assertThat(tracksWith(invalid, 1)).as("changed on the STD since the split").isEqualTo(want);
            assertThat(tracksWith(invalid, 2)).as("changed on the BCV since the split").containsExactly(320L);
            assertThat(h.pool.pairs().get("p1").stdInvalidTracks()).isEqualTo(want.size());
            m = map(h.uri("prod"), null);
            // the zeroed track opens its 1 MiB block: read whole, zeros then data (a block that starts
            // with data is reported as data, unread)
            assertThat(m).startsWith(new long[] {0, (4 << 20) + 65536, 2}, new long[] {(4 << 20) + 65536, (1 << 20) - 65536, 0});
        }
    }

    @Test
    void qemuImgMapSeesZerosAndData() throws Exception {
        assumeTrue(Tools.installed("qemu-img"), "needs qemu-utils");
        Path p = pool();
        try (Holder h = new Holder(p)) {
            h.pool.device("prod").write(2 << 20, ByteBuffer.wrap(new byte[] {7, 7, 7}));
            Tools.Result r = Tools.run(List.of("qemu-img", "map", "--output=json", "-f", "raw", h.uri("prod")));
            assertThat(r.code()).as(r.out()).isZero();
            var entries = Json.MAPPER.readTree(r.out());
            List<String> got = new java.util.ArrayList<>();
            for (var e : entries) {
                got.add(e.get("start").asLong() + "+" + e.get("length").asLong() + (e.get("zero").asBoolean() ? " zero" : " data"));
            }
            // data is reported a 1 MiB block at a time (a block whose first 4 KiB hold data is not read further)
            assertThat(got).containsExactly("0+2097152 zero", "2097152+1048576 data", "3145728+30408704 zero");
        }
    }

    @Test
    void qemuIoDiscardsZeroesAndWritesUnalignedAndReadsBack() throws Exception {
        assumeTrue(Tools.installed("qemu-io"), "needs qemu-utils");
        Path p = pool();
        try (Holder h = new Holder(p)) {
            byte[] model = new byte[32 << 20];
            Arrays.fill(model, 0, 8 << 20, (byte) 0x33);
            Arrays.fill(model, 65536, 65536 + (3 << 20), (byte) 0); // discard, large: holes punched
            Arrays.fill(model, 3001, 3001 + 5003, (byte) 0); // write -z, unaligned
            Arrays.fill(model, (5 << 20) + 17, (5 << 20) + 17 + (1 << 20), (byte) 0); // write -z -u, unaligned
            Arrays.fill(model, 101, 101 + 300, (byte) 0x44); // aio_write, unaligned
            Arrays.fill(model, (7 << 20) + 999, (7 << 20) + 999 + 70_001, (byte) 0x55);
            Tools.Result io = Tools.run(List.of("qemu-io", "-f", "raw", "-c", "write -P 0x33 0 8M",
                    "-c", "discard 64k 3M", "-c", "write -z 3001 5003", "-c", "write -z -u 5242897 1M",
                    "-c", "aio_write -P 0x44 101 300", "-c", "aio_write -P 0x55 7341031 70001", "-c", "aio_flush",
                    "-c", "read -P 0 64k 3M", "-c", "read -P 0x44 101 300", h.uri("prod")));
            assertThat(io.code()).as(io.out()).isZero();
            assertThat(io.out()).doesNotContain("Pattern verification failed", "error");
            byte[] got = new byte[model.length];
            h.pool.device("prod").read(0, ByteBuffer.wrap(got));
            assertThat(sha(got)).isEqualTo(sha(model));
            assertThat(h.pool.admin().verify("prod", false, null)).as("parity after the zeroings").isZero();
        }
    }

    @Test
    void nbdcopyWithFourConnectionsCopiesASparseImageInAndOut() throws Exception {
        assumeTrue(Tools.installed("nbdcopy"), "needs libnbd-bin");
        Path p = pool();
        byte[] image = new byte[32 << 20];
        Random rnd = new Random(22);
        for (int i = 0; i < 24; i++) { // data in places, zeros between
            int at = rnd.nextInt(image.length - 300_000);
            byte[] d = new byte[1 + rnd.nextInt(300_000)];
            rnd.nextBytes(d);
            System.arraycopy(d, 0, image, at, d.length);
        }
        Path in = Files.write(tmp.resolve("in.img"), image);
        try (Holder h = new Holder(p)) {
            byte[] junk = new byte[32 << 20];
            Arrays.fill(junk, (byte) 0x77); // the copy must zero what the image has as zeros
            h.pool.device("prod").write(0, ByteBuffer.wrap(junk));
            Tools.Result copyIn = Tools.run(List.of("nbdcopy", "--connections=4", in.toString(), h.uri("prod")));
            assertThat(copyIn.code()).as(copyIn.out()).isZero();
            byte[] got = new byte[image.length];
            h.pool.device("prod").read(0, ByteBuffer.wrap(got));
            assertThat(sha(got)).isEqualTo(sha(image));
            Path out = tmp.resolve("out.img");
            Tools.Result copyOut = Tools.run(List.of("nbdcopy", "--connections=4", h.uri("prod"), out.toString()));
            assertThat(copyOut.code()).as(copyOut.out()).isZero();
            assertThat(sha(Files.readAllBytes(out))).isEqualTo(sha(image));
        }
    }

    /** {@code splitpoint serve} in its own JVM: the first line of its output, then it is stopped (SIGTERM). */
    private static String serveFirstLine(Object... args) throws Exception {
        List<String> cmd = Tools.splitpoint(args);
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(proc.getInputStream()));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("serving pool")) {
                    return line;
                }
            }
            throw new AssertionError("serve ended without its startup line");
        } finally {
            proc.destroy();
            assertThat(proc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * What the server says of its clients reaches serve's terminal too, not only the event log: a client
     * that broke the handshake (an option with a bad magic) is named there with the reason, at once.
     */
    @Test
    void serveSaysOnItsTerminalWhatItSaysOfItsClients() throws Exception {
        Path p = protocolPool();
        Process proc = new ProcessBuilder(Tools.splitpoint("serve", p, "--nbd", "127.0.0.1:0")).redirectErrorStream(true).start();
        StringBuffer out = new StringBuffer();
        Thread pump = pump(proc, out);
        try {
            awaitCount(out, "serving pool", 1, 60_000);
            java.util.regex.Matcher port = java.util.regex.Pattern.compile("nbd://127\\.0\\.0\\.1:(\\d+)/").matcher(out);
            assertThat(port.find()).isTrue();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", Integer.parseInt(port.group(1)))) {
                s.getInputStream().readNBytes(18); // NBDMAGIC, IHAVEOPT, the handshake flags
                s.getOutputStream().write(new byte[] {0, 0, 0, 1}); // fixed newstyle
                s.getOutputStream().write(new byte[16]); // an option whose magic is not IHAVEOPT
                s.getOutputStream().flush();
                assertThat(s.getInputStream().read()).as("the server hangs up").isEqualTo(-1);
            }
            awaitCount(out, "bad option magic", 1, 10_000);
            assertThat(out.toString()).containsPattern("splitpoint: \\d\\d:\\d\\d:\\d\\d client 127\\.0\\.0\\.1:\\d+: bad option magic");
        } finally {
            proc.destroy();
            assertThat(proc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            pump.join(5000);
        }
    }

    /**
     * A fresh serve run out of file descriptors by idle clients says so on its terminal, with the
     * time, and once they are gone says it accepts again and serves the next client. Before, its first
     * time stamp came when no descriptor was free, the time-zone rules could not be read, and the
     * Error ended the accept thread (no client was greeted again) and every later line of the terminal.
     */
    @Test
    @Timeout(120)
    void aFreshServeOutOfFileDescriptorsSaysSoWithTheTimeAndServesOnceTheyAreFree() throws Exception {
        Path p = pool();
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", "-c", "ulimit -n 128 && exec \"$@\"", "serve-fd"));
        cmd.addAll(Tools.splitpoint("serve", p, "--nbd", "127.0.0.1:0"));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuffer out = new StringBuffer();
        Thread pump = pump(proc, out);
        List<java.net.Socket> idle = new java.util.ArrayList<>();
        try {
            awaitCount(out, "serving pool", 1, 60_000);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("nbd://127\\.0\\.0\\.1:(\\d+)/").matcher(out);
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(1));
            for (int i = 0; i < 200 && count(out, "accept failed") == 0; i++) {
                java.net.Socket s = new java.net.Socket();
                idle.add(s);
                try {
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
                } catch (java.net.SocketTimeoutException backlogFull) { // the server takes none and its backlog is full
                    break;
                }
                Thread.sleep(5);
            }
            awaitCount(out, "accept failed", 1, 10_000);
            assertThat(out.toString()).containsPattern("splitpoint: \\d\\d:\\d\\d:\\d\\d accept failed on 127\\.0\\.0\\.1:"
                    + port + ": .*out of file descriptors");
            for (java.net.Socket s : idle) {
                s.close();
            }
            idle.clear();
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(10_000);
                byte[] hello = s.getInputStream().readNBytes(18);
                assertThat(hello).as("a new client is greeted").hasSize(18);
                assertThat(new String(hello, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("NBDMAGIC");
            }
            // said at the first accept that works (an accept without a descriptor fails whether or not a client waits)
            awaitCount(out, "accepting clients again", 1, 10_000);
            assertThat(out.toString()).doesNotContain("Exception in thread");
        } finally {
            for (java.net.Socket s : idle) {
                s.close();
            }
            proc.destroy();
            assertThat(proc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            pump.join(5000);
        }
    }

    /** A pool whose one volume is the save area was said to have "no volume yet". */
    @Test
    void aPoolWhoseOnlyVolumeIsTheSaveAreaSaysThatItIsNotServed() throws Exception {
        Path p = tmp.resolve("sa-only");
        assertThat(CliRun.of("pool", "create", p, "--drives", 2, "--drive-size", "4M").code()).isZero();
        assertThat(CliRun.of("volume", "create", p, "sa", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        assertThat(CliRun.of("snapshot", "save-area", p, "sa", "--yes").code()).isZero();
        assertThat(serveFirstLine("serve", p, "--nbd", "127.0.0.1:0")).matches("serving pool .* on nbd://127\\.0\\.0\\.1:"
                + "[0-9]+/ \\(no default export: its only volume, sa, is the save area, which is not served; Ctrl-C stops"
                + " cleanly\\)");
    }

    @Test
    void nbdinfoWithoutAnExportNameGetsTheDefaultExportAndTheStartupUrisWork() throws Exception {
        assumeTrue(Tools.installed("nbdinfo"), "needs libnbd-bin");
        Path p = protocolPool();
        try (Holder h = new Holder(p)) {
            String plain = "nbd://127.0.0.1:" + h.nbd.port();
            Tools.Result r = Tools.run(List.of("nbdinfo", plain));
            assertThat(r.code()).as(r.out()).isZero();
            assertThat(r.out()).contains("export=\"prod\"", "export-size: " + (32 << 20), "can_trim: true",
                    "can_fast_zero: true", "can_df: true", "base:allocation");
        }
        Path sock = tmp.resolve("nbd.sock");
        String line = serveFirstLine("serve", p, "--socket", sock, "--default-export", "copy");
        String uri = line.substring(line.indexOf(" on ") + 4, line.indexOf(" (the default export"));
        assertThat(uri).isEqualTo("nbd+unix:///copy?socket=" + sock);
        // the same URI, from a server of this JVM (the one above has stopped): nbdinfo takes it
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(p);
             org.splitpoint.engine.nbd.NbdServer s = org.splitpoint.engine.nbd.NbdServer.unix(sock,
                     new org.splitpoint.engine.pool.PoolExports(pool, "copy"), m -> { })) {
            Tools.Result info = Tools.run(List.of("nbdinfo", uri));
            assertThat(info.code()).as(info.out()).isZero();
            assertThat(info.out()).contains("export=\"copy\"", "splitpoint:invalid");
            Tools.Result def = Tools.run(List.of("nbdinfo", "nbd+unix:///?socket=" + sock));
            assertThat(def.out()).as("the default export").contains("export=\"copy\"");
        }
        String tcp = serveFirstLine("serve", p, "--nbd", "127.0.0.1:0");
        assertThat(tcp).matches("serving pool .* on nbd://127\\.0\\.0\\.1:[0-9]+/prod \\(the default export prod, also"
                + " nbd://127\\.0\\.0\\.1:[0-9]+/; Ctrl-C stops cleanly\\)");
        CliRun bad = CliRun.of("serve", p, "--default-export", "nope");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(bad)).contains("--default-export nope is not an export of this pool", "prod, copy");
    }
}
