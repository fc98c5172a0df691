package org.splitpoint.engine.nbd;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Notices when what a connected client negotiated no longer holds, when a client stopped
 * reading its replies, and when one stopped sending a write's payload; runs every
 * {@link NbdLimits#exportCheck} on the server's timer.
 *
 * <p>Design. A client learns whether an export is read-only once, in the handshake. A BCV is
 * read-only to hosts while its pair is established and writable once split, so a client connected
 * before a split stayed read-only, and one connected read-write before an establish got EPERM
 * without being told why. The protocol has no way to change an export's flags mid-connection, so we
 * do as qemu-nbd does when an export goes away under a client: the connection is retired (its
 * requests in flight finish and are answered, then the server closes it, logging the client, the
 * export and the reason), and the client reconnects and negotiates afresh (qemu's reconnect-delay,
 * or the next run of a tool). The check asks the catalog, once per export name per round, for the
 * export as it is now: gone (volume or snapshot deleted, snapshot invalid), replaced (another of
 * the same name: a snapshot deleted and taken again between two rounds, whose old reader answers
 * every read EIO, since it never reads another snapshot's bytes) or of another writability retires
 * every connection to it. Idle clients are checked like busy ones, so they go
 * within a round or so. A write the engine refused because the pair changed state asks for a round
 * at once ({@link NbdServer#checkExportsSoon}). The engine itself still refuses any write to a BCV
 * that became read-only (EPERM), whatever the timing of this check.
 */
final class ExportWatch implements Runnable {

    private final NbdServer server;
    private final ExportCatalog catalog;
    private final EpisodeLog failures;

    ExportWatch(NbdServer server, ExportCatalog catalog) {
        this.server = server;
        this.catalog = catalog;
        this.failures = new EpisodeLog(server::log, TimeUnit.MINUTES.toNanos(10));
    }

    @Override
    public void run() {
        try {
            round();
            failures.ended("checking the NBD exports works again", "failed check", "failed checks");
        } catch (Throwable t) { // a periodic task that throws is never run again: never throw
            failures.occurred("checking the NBD exports failed: " + t);
        }
    }

    private void round() {
        Map<String, Optional<Export>> now = new HashMap<>();
        long stall = server.limits().replyStall().toNanos();
        long payloadStall = server.limits().payloadStall().toNanos();
        for (NbdConnection c : server.connectionsNow()) {
            c.checkStall(stall);
            c.checkPayloadStall(payloadStall);
            Export negotiated = c.negotiated();
            if (negotiated == null || c.retiring()) {
                continue;
            }
            Export current = now.computeIfAbsent(negotiated.name(), n -> Optional.ofNullable(catalog.find(n))).orElse(null);
            String why = change(negotiated, current);
            if (why != null) {
                c.retire(why, true);
            }
        }
        server.trimBuffers();
        server.memoryCalm();
    }

    /** Why a connection to {@code negotiated} must renegotiate, or null when nothing changed that matters. */
    static String change(Export negotiated, Export current) {
        if (current == null) {
            return "the export is no longer offered (deleted, or no longer valid)";
        }
        if (!current.identity().equals(negotiated.identity())) {
            return "the export is another one of the same name: the one negotiated was deleted (" + current.description() + ")";
        }
        if (current.readOnly() != negotiated.readOnly()) {
            return "the export became " + (current.readOnly() ? "read-only" : "writable") + " (" + current.description() + ")";
        }
        return null;
    }
}
