package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher ({@code ./splitpoint}) passes the command's standard error through, also when it had
 * to build first. Runs a copy of the real launcher in a checkout of empty sources, with a {@code mvn}
 * that only writes the class path file and a {@code java} that says one line on each stream.
 */
class LauncherStderrTest {

    @TempDir
    Path tmp;

    @Test
    void aCommandRunAfterABuildStillSaysItsErrors() throws Exception {
        Path root = checkout();
        Result built = launch(root);
        assertThat(built.err).as("the build ran first").contains("splitpoint: building cli");
        assertThat(built.out).contains("java ran: pool status /nowhere");
        assertThat(built.err).as("the command's own standard error, after the build")
                .contains("splitpoint: no pool at /nowhere");
        assertThat(built.exit).isEqualTo(3);

        Result fresh = launch(root); // no build this time: as before
        assertThat(fresh.err).doesNotContain("building").contains("splitpoint: no pool at /nowhere");
    }

    private record Result(int exit, String out, String err) { }

    private Path checkout() throws IOException {
        Path root = tmp.resolve("checkout");
        Files.createDirectories(root.resolve("engine/src/main"));
        Files.createDirectories(root.resolve("cli/src/main"));
        for (String pom : new String[] {"pom.xml", "engine/pom.xml", "cli/pom.xml"}) {
            Files.writeString(root.resolve(pom), "<project/>\n");
        }
        Path launcher = Files.copy(Path.of("..", "splitpoint"), root.resolve("splitpoint"));
        executable(launcher);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        // stands for the build: what the launcher needs of it is the class path file it stamps
        executable(Files.writeString(bin.resolve("mvn"),
                "#!/bin/sh\nmkdir -p cli/target && : > cli/target/classpath.txt\n"));
        executable(Files.writeString(bin.resolve("java"), "#!/bin/sh\n"
                + "while [ \"$1\" != org.splitpoint.cli.Splitpoint ]; do shift; done; shift\n"
                + "echo \"java ran: $*\"\n"
                + "echo \"splitpoint: no pool at /nowhere\" >&2\n"
                + "exit 3\n"));
        return root;
    }

    private Result launch(Path root) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("splitpoint").toString(), "pool", "status", "/nowhere");
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        pb.redirectOutput(tmp.resolve("out").toFile());
        pb.redirectError(tmp.resolve("err").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
    }

    private static Path executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
