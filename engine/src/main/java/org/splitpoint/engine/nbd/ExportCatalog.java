package org.splitpoint.engine.nbd;

import java.util.List;

/** The exports a server offers, looked up per connection (states change between connections). */
public interface ExportCatalog {

    /** Every export name with its description, for NBD_OPT_LIST. */
    List<Export> list();

    /**
     * The export called {@code name}, or null. The empty name is the default export (the protocol's
     * {@code nbd://host:port} with no path): the export it stands for, under its own name.
     */
    Export find(String name);

    /** A server began serving these exports at {@code address} (a pool says so in its event log). */
    default void serving(String address) {
    }

    /** The server at {@code address} stopped; its clients were disconnected and the exports flushed. */
    default void stopped(String address) {
    }

    /**
     * A server starts ({@code on}) or stops serving this catalog; {@code clients} tells who is
     * connected to which export meanwhile (the same supplier both times), so what the exports stand
     * for can refuse to go away under a client.
     */
    default void serving(java.util.function.Supplier<List<ClientStats>> clients, boolean on) {
    }
}
