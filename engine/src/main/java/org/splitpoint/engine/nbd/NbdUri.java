package org.splitpoint.engine.nbd;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * NBD URIs (the NBD project's URI specification, as nbdinfo, nbdcopy and qemu take them) for a
 * server's address: {@code nbd://HOST:PORT/EXPORT} over TCP (an IPv6 host in brackets), and
 * {@code nbd+unix:///EXPORT?socket=PATH} over a Unix socket. An empty export names the default one.
 *
 * <p>Both the export and the socket's path are percent-encoded (RFC 3986, as libnbd decodes them):
 * a path with a space, '&amp;', '#', '%' or '?' printed as it is gave a URI nbdinfo refused ("unable
 * to parse URI") or read as another path; a quote is encoded too, since the CLI prints the URI
 * between single quotes for a shell. The path's slashes stay as they are.
 */
public final class NbdUri {

    private NbdUri() {
    }

    /** The URI of {@code export} on a server listening at {@code address} (see {@link NbdServer#address()}). */
    public static String of(String address, String export) {
        String path = "/" + encode(export).replace("%40", "@");
        if (address.startsWith("unix:")) {
            return "nbd+unix://" + path + "?socket=" + encode(address.substring("unix:".length())).replace("%2F", "/");
        }
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        return "nbd://" + (host.contains(":") ? "[" + host + "]" : host) + address.substring(colon) + path;
    }

    /** {@code s} percent-encoded, every byte but letters, digits and {@code .-*_} (a space as %20, not '+'). */
    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
