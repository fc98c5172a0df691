package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens to the pool while serve holds it is said on serve's terminal (where systemd's
 * journal reads it), with the time, as the client lines are: before, it went to
 * meta/events.jsonl only, and serve's terminal stayed silent while a drive failed or a save area
 * filled and made a snapshot invalid (seen under serve by h147). serve runs as its own process,
 * as an administrator runs it; the commands reach it through the control socket.
 */
class ServePoolEventsTest {

    @TempDir
    Path tmp;

    private static final String STAMP = "splitpoint: \\d\\d:\\d\\d:\\d\\d ";

    @Test
    @Timeout(120)
    void aDriveFailedUnderServeIsOneLineNamingTheDriveAndItsState() throws Exception {
        Path p = tmp.resolve("pool");
        ok(CliRun.of("pool", "create", p, "--drives", 3, "--drive-size", "1M"));
        ok(CliRun.of("volume", "create", p, "v", "--layout", "raid5", "--drives", "d1,d2,d3"));
        try (Served s = new Served(p)) {
            ok(CliRun.of("drive", "fail", p, "d2"));
            s.await("drive d2 FAILED", 1);
            s.await("volume v is DEGRADED", 1);
            s.await("command done: splitpoint drive fail", 1);
            Thread.sleep(300); // a second line for the same failure would come with these
            assertThat(s.lines("drive d2 FAILED")).as(s.out.toString()).hasSize(1);
            assertThat(s.lines("drive d2 FAILED").get(0)).matches(STAMP + "critical: drive d2 FAILED \\(by command\\)");
            assertThat(s.lines("volume v is DEGRADED")).hasSize(1);
            assertThat(s.lines("command done")).as("the command from the other shell, once").hasSize(1);
            assertThat(s.lines("command received")).as("its outcome is enough").isEmpty();
        }
    }

    @Test
    @Timeout(120)
    void aSaveAreaFillingUnderServeWarnsAndSaysWhichSnapshotWentInvalid() throws Exception {
        Path p = tmp.resolve("pool");
        ok(CliRun.of("pool", "create", p, "--drives", 5, "--drive-size", "1M"));
        ok(CliRun.of("volume", "create", p, "v", "--layout", "raid5", "--drives", "d1,d2,d3"));
        ok(CliRun.of("volume", "create", p, "save", "--layout", "raid1", "--drives", "d4,d5"));
        ok(CliRun.of("snapshot", "save-area", p, "save", "--yes"));
        ok(CliRun.of("snapshot", "create", p, "v", "s1"));
        Path mib = Files.write(tmp.resolve("mib"), new byte[1 << 20]);
        try (Served s = new Served(p)) {
            ok(CliRun.of("volume", "write", p, "v", "--offset", 0, "--in", mib)); // s1 saves the save area's worth
            ok(CliRun.of("volume", "write", p, "v", "--offset", "1M", "--in", mib)); // and has no room for more
            s.await("snapshot v@s1 is invalid", 1);
            assertThat(s.lines("the save area save is past 80% full")).as(s.out.toString()).hasSize(1);
            assertThat(s.lines("the save area save is past 95% full")).as(s.out.toString()).hasSize(1);
            assertThat(s.lines("the save area save is past 80% full").get(0)).matches(STAMP + "warning: the save area save is past 80% full .*");
            assertThat(s.lines("snapshot v@s1 is invalid").get(0)).matches(STAMP + "critical: snapshot v@s1 is invalid: .*");
        }
    }

    /**
     * 60 commands from another shell that fail (a warning each, and quick: a snapshot create each
     * took 0.36 s at load 10), in less than 9.5 s: they fall in one or two of the 10 s windows (the
     * first began when serve started), so at least 20 are left out and counted; every one of the 60 is
     * either shown or counted. The first 20 of a window shown and the rest counted, to
     * the line, is PoolEventLinesTest's (a clock of its own).
     */
    @Test
    @Timeout(120)
    void aFloodOfPoolEventsIsCutTo20LinesPer10SecondsAndTheRestCounted() throws Exception {
        Path p = tmp.resolve("pool");
        ok(CliRun.of("pool", "create", p, "--drives", 4, "--drive-size", "1M"));
        ok(CliRun.of("volume", "create", p, "v", "--layout", "raid1", "--drives", "d1,d2"));
        try (Served s = new Served(p)) {
            long start = System.nanoTime();
            for (int i = 0; i < 60; i++) {
                assertThat(CliRun.of("drive", "fail", p, "d" + (10 + i)).code()).isNotZero();
            }
            long took = System.nanoTime() - start;
            org.junit.jupiter.api.Assumptions.assumeTrue(took < TimeUnit.SECONDS.toNanos(9) + TimeUnit.MILLISECONDS.toNanos(500),
                    "the 60 events must fall in at most two 10 s windows (took " + took / 1_000_000 + " ms)");
            java.util.regex.Pattern summary = java.util.regex.Pattern.compile(STAMP + "(\\d+) more lines about the pool were"
                    + " not shown here in \\d+ s \\(the first, at \\d\\d:\\d\\d:\\d\\d: warning: command failed \\(exit \\d+\\): splitpoint drive fail .* d\\d+: .*\\);"
                    + " meta/events.jsonl has them all");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long shown;
            long counted;
            int summaries;
            do {
                Thread.sleep(100);
                String all = s.out.toString();
                shown = all.lines().filter(l -> !l.contains("more lines about the pool"))
                        .filter(l -> l.contains("command failed")).count();
                java.util.regex.Matcher m = summary.matcher(all);
                counted = 0;
                summaries = 0;
                while (m.find()) {
                    counted += Long.parseLong(m.group(1));
                    summaries++;
                }
            } while (shown + counted < 60 && System.nanoTime() < until);
            assertThat(shown + counted).as("every event shown or counted: " + s.out).isEqualTo(60);
            assertThat(summaries).as(s.out.toString()).isPositive();
            assertThat(shown).as("20 a window, two windows at most: " + s.out).isLessThanOrEqualTo(40);
        }
    }

    @Test
    @Timeout(120)
    void noPoolEventsLeavesTheTerminalToTheClients() throws Exception {
        Path p = tmp.resolve("pool");
        ok(CliRun.of("pool", "create", p, "--drives", 3, "--drive-size", "1M"));
        ok(CliRun.of("volume", "create", p, "v", "--layout", "raid5", "--drives", "d1,d2,d3"));
        try (Served s = new Served(p, "--no-pool-events")) {
            ok(CliRun.of("drive", "fail", p, "d2"));
            awaitLogged(p, "drive d2 FAILED");
            Thread.sleep(500);
            assertThat(s.out.toString()).doesNotContain("d2 FAILED", "command done");
        }
    }

    private static void awaitLogged(Path pool, String part) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Path events = pool.resolve("meta/events.jsonl");
        while (!Files.readString(events).contains(part) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(events)).contains(part);
    }

    private static void ok(CliRun r) {
        assertThat(r.code()).as(r.err()).isZero();
    }

    /** serve of a pool in a process of its own, its stdout and stderr gathered. */
    private static final class Served implements AutoCloseable {
        final StringBuffer out = new StringBuffer();
        final Process proc;
        final Thread pump;

        Served(Path pool, String... more) throws Exception {
            List<Object> args = new java.util.ArrayList<>(List.of("serve", pool, "--nbd", "127.0.0.1:0"));
            args.addAll(List.of((Object[]) more));
            proc = new ProcessBuilder(Tools.splitpoint(args.toArray())).redirectErrorStream(true).start();
            pump = new Thread(() -> {
                try {
                    byte[] b = new byte[4096];
                    for (int n = proc.getInputStream().read(b); n > 0; n = proc.getInputStream().read(b)) {
                        out.append(new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            pump.start();
            await("serving pool", 1, 60_000);
        }

        List<String> lines(String part) {
            return out.toString().lines().filter(l -> l.contains(part)).toList();
        }

        void await(String part, int n) throws InterruptedException {
            await(part, n, 20_000);
        }

        void await(String part, int n, long millis) throws InterruptedException {
            long until = System.nanoTime() + millis * 1_000_000;
            while (lines(part).size() < n && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(lines(part).size()).as("'" + part + "' in: " + out).isGreaterThanOrEqualTo(n);
        }

        @Override
        public void close() throws Exception {
            proc.destroy();
            assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
            pump.join(5000);
        }
    }
}
