package org.splitpoint.engine.nbd;

import java.util.List;

/** The exports a server offers, looked up per connection (states change between connections). */
public interface ExportCatalog {

    /** Every export name with its description, for NBD_OPT_LIST. */
    List<Export> list();

    /** The export called {@code name}, or null. */
    Export find(String name);
}
