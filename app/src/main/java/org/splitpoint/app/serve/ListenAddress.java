package org.splitpoint.app.serve;

/**
 * HOST:PORT as typed in the Serving view, read once for both questions asked of it: may the server
 * start there (else {@link #refusal()} says why in one sentence), and does that expose the volumes to
 * the network. An address that is not HOST:PORT is refused before anyone is asked about the network
 * ("foo:bar" used to ask "Serve the volumes to the network?" and only then say it is no address).
 */
record ListenAddress(String text, String host, int port, String refusal) {

    /** The address {@code typed} (trimmed); {@link #refusal()} is null when it is HOST:PORT with a port 0..65535. */
    static ListenAddress parse(String typed) {
        String text = typed == null ? "" : typed.trim();
        int colon = text.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
            if (colon <= 0) {
                throw new NumberFormatException();
            }
        } catch (RuntimeException e) {
            return new ListenAddress(text, null, -1, "'" + text + "' is not HOST:PORT (for example 127.0.0.1:10809)");
        }
        if (port < 0 || port > 65535) { // HOST:PORT it is: say what is wrong with it
            return new ListenAddress(text, null, port,
                    "'" + text + "': the port must be a number from 0 to 65535, not " + port);
        }
        return new ListenAddress(text, text.substring(0, colon).replace("[", "").replace("]", ""), port, null);
    }

    boolean valid() {
        return refusal == null;
    }
}
