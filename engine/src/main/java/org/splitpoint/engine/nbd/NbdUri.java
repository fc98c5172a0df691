package org.splitpoint.engine.nbd;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * NBD URIs (the NBD project's URI specification, as nbdinfo, nbdcopy and qemu take them) for a
 * server's address: {@code nbd://HOST:PORT/EXPORT} over TCP (an IPv6 host in brackets), and
 * {@code nbd+unix:///EXPORT?socket=PATH} over a Unix socket. An empty export names the default one.
 */
public final class NbdUri {

    private NbdUri() {
    }

    /** The URI of {@code export} on a server listening at {@code address} (see {@link NbdServer#address()}). */
    public static String of(String address, String export) {
        String path = "/" + URLEncoder.encode(export, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
        if (address.startsWith("unix:")) {
            return "nbd+unix://" + path + "?socket=" + address.substring("unix:".length());
        }
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        return "nbd://" + (host.contains(":") ? "[" + host + "]" : host) + address.substring(colon) + path;
    }
}
