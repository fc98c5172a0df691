package org.splitpoint.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Runs the CLI in-process and captures exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {

    static CliRun of(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = String.valueOf(args[i]);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Splitpoint.run(a, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** As {@link #of}, with {@code stdin} as the command's standard input. */
    static CliRun withStdin(byte[] stdin, Object... args) {
        java.io.InputStream before = System.in;
        System.setIn(new java.io.ByteArrayInputStream(stdin));
        try {
            return of(args);
        } finally {
            System.setIn(before);
        }
    }

    /**
     * A pool of four drives of {@code driveSize} at {@code pool}, raid1 volumes a (d1,d2) and b (d3,d4),
     * and pair p of them, never established; each step must succeed.
     */
    static Path pairedPool(Path pool, String driveSize) {
        for (CliRun r : java.util.List.of(
                of("pool", "create", pool, "--drives", 4, "--drive-size", driveSize),
                of("volume", "create", pool, "a", "--layout", "raid1", "--drives", "d1,d2"),
                of("volume", "create", pool, "b", "--layout", "raid1", "--drives", "d3,d4"),
                of("pair", "create", pool, "p", "--std", "a", "--bcv", "b"))) {
            if (r.code() != 0) {
                throw new AssertionError("setting up " + pool + ": " + r.err());
            }
        }
        return pool;
    }

    /** The one "splitpoint: " line of a refusal; fails when there are more, or a stack trace. */
    static String oneSentence(CliRun r) {
        org.assertj.core.api.Assertions.assertThat(r.err()).as(r.err()).doesNotContain("\tat ", "internal error", ": null");
        java.util.List<String> lines = r.err().lines().filter(l -> l.startsWith("splitpoint: ")).toList();
        org.assertj.core.api.Assertions.assertThat(lines).as(r.err()).hasSize(1);
        return lines.get(0);
    }

    /** SHA-256 of every file under {@code dir}, by relative path: to prove nothing changed. */
    static Map<String, String> fingerprint(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                out.put(dir.relativize(p).toString(), HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }
}
