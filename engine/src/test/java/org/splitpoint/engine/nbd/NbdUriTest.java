package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.BlockDevice;

/**
 * The URIs the CLI prints for a server are taken by a real client (nbdinfo) as they are: a Unix
 * socket's path is percent-encoded in the query, so a path with a space, '&', '#', '%', '?' or a
 * quote names the socket, not something else.
 */
class NbdUriTest {

    @TempDir
    Path tmp;

    @Test
    void tcpUrisBracketIpv6HostsAndEncodeTheExport() {
        assertThat(NbdUri.of("127.0.0.1:10809", "prod@s 1")).isEqualTo("nbd://127.0.0.1:10809/prod@s%201");
        assertThat(NbdUri.of("::1:10809", "")).isEqualTo("nbd://[::1]:10809/");
    }

    @Test
    void aUnixSocketPathIsPercentEncodedInTheQuery() {
        assertThat(NbdUri.of("unix:/run/a b&c#d%e?f'g+h/nbd.sock", "v"))
                .isEqualTo("nbd+unix:///v?socket=/run/a%20b%26c%23d%25e%3Ff%27g%2Bh/nbd.sock");
    }

    @Test
    void nbdinfoReachesTheExportThroughTheUriOfASocketWhosePathNeedsEncoding() throws Exception {
        assumeTrue(installed("nbdinfo"), "needs libnbd-bin");
        Path dir = Files.createDirectories(tmp.resolve("a b&c#d%e?f'g"));
        Path sock = dir.resolve("nbd.sock");
        BlockDevice mem = new MemoryDevice(1 << 20);
        Export e = new Export("mem", mem, true, "memory");
        try (NbdServer s = NbdServer.unix(sock, new ExportCatalog() {
            @Override
            public List<Export> list() {
                return List.of(e);
            }

            @Override
            public Export find(String name) {
                return name.equals("mem") || name.isEmpty() ? e : null;
            }
        }, m -> { })) {
            String uri = NbdUri.of(s.address(), "mem");
            Process p = new ProcessBuilder("nbdinfo", "--size", uri).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(uri + ": " + out).isZero();
            assertThat(out.trim()).isEqualTo(String.valueOf(1 << 20));
        }
    }

    private static boolean installed(String tool) {
        for (String d : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
