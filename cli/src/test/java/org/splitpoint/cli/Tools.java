package org.splitpoint.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external program (nbdinfo, nbdcopy, qemu-img, fio, a second splitpoint JVM) for tests. */
final class Tools {

    record Result(int code, String out) { }

    private Tools() {
    }

    static boolean installed(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        return run(cmd, null);
    }

    static Result run(List<String> cmd, byte[] stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The splitpoint CLI in a separate JVM (a real second process). */
    static List<String> splitpoint(Object... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.splitpoint.cli.Splitpoint"));
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        return cmd;
    }
}
