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
}
