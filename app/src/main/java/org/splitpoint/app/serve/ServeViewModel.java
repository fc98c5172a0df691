package org.splitpoint.app.serve;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.bridge.TaskExecutor;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.nbd.ClientStats;
import org.splitpoint.engine.nbd.NbdServer;
import org.splitpoint.engine.pool.PoolExports;

/**
 * Serving the pool's volumes over NBD from the app: start and stop, where it listens, and the
 * connected clients with their read and write rates (sampled every second, coalesced to the UI).
 * The volumes' own views move with the clients' I/O, since it goes through the same engine.
 */
public final class ServeViewModel {

    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final PoolBridge bridge;
    private final Coalescer<Sample> clientUpdates;
    private final StringProperty address = new SimpleStringProperty("127.0.0.1:10809");
    private final ReadOnlyBooleanWrapper serving = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("not serving");
    private final ReadOnlyBooleanWrapper refused = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyObjectWrapper<List<ClientRow>> clients = new ReadOnlyObjectWrapper<>(List.of());
    private final javafx.beans.property.ReadOnlyDoubleWrapper readRate = new javafx.beans.property.ReadOnlyDoubleWrapper();
    private final javafx.beans.property.ReadOnlyDoubleWrapper writeRate = new javafx.beans.property.ReadOnlyDoubleWrapper();
    private volatile NbdServer server;
    private TaskExecutor.Repeating sampler;
    private final Map<Long, ClientStats> last = new HashMap<>();
    private long lastNanos;
    private org.splitpoint.engine.nbd.ServedBytes lastServed;

    /** The clients' rows and the host I/O rates of one sample. */
    private record Sample(List<ClientRow> rows, double readRate, double writeRate) { }

    public ServeViewModel(PoolBridge bridge) {
        this.bridge = bridge;
        // a refusal is of the address typed then: once it is edited, the red sentence no longer applies (it stood
        // under the next address, while the app asked whether to serve that one to the network)
        address.addListener((o, was, now) -> {
            if (refused.get() && !busy.get() && server == null) {
                say("not serving");
            }
        });
        this.clientUpdates = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), s -> {
            clients.set(s.rows());
            readRate.set(s.readRate());
            writeRate.set(s.writeRate());
        });
        bridge.beforeClose(this::stopNow);
        if (bridge.attachedTo() != null) { // the holder serves the volumes; this app holds no pool to serve
            status.set("served by the holder (" + bridge.attachedTo() + "); this app is attached to it and does"
                    + " not serve");
            bridge.onHolderClients(this::sample); // its clients and their I/O, as of a server of this app's
        }
    }

    // ---- properties

    /** HOST:PORT to listen on; editable while not serving. */
    public StringProperty addressProperty() {
        return address;
    }

    public ReadOnlyBooleanProperty servingProperty() {
        return serving.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /**
     * True while the status is a refusal or a failure ("'foo:bar' is not HOST:PORT", "could not serve
     * on ..."): the view shows it as an error, where it read like the plain "not serving" beside it.
     */
    public ReadOnlyBooleanProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<List<ClientRow>> clientsProperty() {
        return clients.getReadOnlyProperty();
    }

    /** True when the app is attached to a holder, which serves the pool (this app starts no server). */
    public boolean attached() {
        return bridge.attachedTo() != null;
    }

    /** Bytes per second read by all NBD clients (host I/O, for the status bar). */
    public javafx.beans.property.ReadOnlyDoubleProperty readRateProperty() {
        return readRate.getReadOnlyProperty();
    }

    /** Bytes per second written by all NBD clients. */
    public javafx.beans.property.ReadOnlyDoubleProperty writeRateProperty() {
        return writeRate.getReadOnlyProperty();
    }

    /**
     * The addresses of the clients connected now to export {@code volume} (its own name, not a
     * snapshot's), as "127.0.0.1:51234"; empty when none or not serving.
     */
    public List<String> clientsUsing(String volume) {
        NbdServer s = server;
        if (s == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ClientStats c : s.clients()) {
            if (volume.equals(c.export())) {
                out.add(c.remote());
            }
        }
        return out;
    }

    /**
     * The clients connected now, as "127.0.0.1:51234 using prod" (asked of the server, not the last
     * sample, so one that connected a moment ago is named too); empty when none or not serving.
     */
    public List<String> connectedClients() {
        NbdServer s = server;
        if (s == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ClientStats c : s.clients()) {
            out.add(c.remote() + (c.export() == null || c.export().isEmpty() ? " (choosing an export)"
                    : " using " + c.export() + (c.readOnly() ? " (read-only)" : "")));
        }
        return out;
    }

    /**
     * Why starting on the address typed needs a confirmation: it is not a loopback address, so the
     * volumes are reachable from the network; null when it is (or when the address is not HOST:PORT,
     * which {@link #start()} refuses with its own sentence).
     */
    public String networkExposure() {
        ListenAddress a = ListenAddress.parse(address.get());
        if (!a.valid() || NbdServer.isLoopback(a.host())) {
            return null;
        }
        String host = a.host();
        boolean all = host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
        return (all ? a.text() + " listens on every network interface of this machine"
                : a.text() + " is reachable from the network")
                + ": anyone on the network who can reach it can read and write every volume of the pool. NBD has no"
                + " authentication and no encryption.";
    }

    // ---- commands

    /** Starts serving on {@link #addressProperty()}; refusals and bind errors come back as the status. */
    public void start() {
        if (bridge.attachedTo() != null) {
            refuse("not started: the pool is held by " + bridge.attachedTo() + ", which serves its volumes;"
                    + " connect NBD clients to it");
            return;
        }
        ListenAddress a = ListenAddress.parse(address.get());
        if (!a.valid()) {
            refuse(a.refusal());
            return;
        }
        String text = a.text();
        String host = a.host();
        int port = a.port();
        busy.set(true);
        // in place of the last sentence at once: a refusal of the address typed before stayed, in red, for as long
        // as the new one's bind took (a host name's lookup: seconds), as if the new address were refused
        say("starting on " + text + "…");
        bridge.run(pool -> NbdServer.tcp(host, port, new PoolExports(pool),
                m -> pool.events().publish(Event.info("NBD", "serve", m))), s -> {
                    server = s;
                    busy.set(false);
                    serving.set(true);
                    say("serving on nbd://" + s.address() + (NbdServer.isLoopback(host) ? ""
                            : " — warning: NBD has no authentication; anyone who can reach this address can use the volumes"));
                    sampler = bridge.every(Duration.ofSeconds(1), p -> {
                        sample();
                        return null;
                    });
                }, why -> {
                    busy.set(false);
                    refuse("could not serve on " + text + ": " + why);
                });
    }

    /** Stops serving: in-flight requests finish, exports are flushed, clients are disconnected. */
    public void stop() {
        NbdServer s = server;
        if (s == null) {
            return;
        }
        busy.set(true);
        bridge.run(pool -> {
            stopNow();
            return null;
        }, ok -> {
            busy.set(false);
            serving.set(false);
            clients.set(List.of());
            readRate.set(0);
            writeRate.set(0);
            say("not serving");
        }, why -> {
            busy.set(false);
            refuse("stopping: " + why);
        });
    }

    private void say(String line) {
        refused.set(false);
        status.set(line);
    }

    private void refuse(String why) {
        refused.set(true);
        status.set(why);
    }

    private void stopNow() {
        NbdServer s = server;
        server = null;
        if (sampler != null) {
            sampler.cancel();
        }
        if (s != null) {
            try {
                s.close();
            } catch (java.io.IOException e) {
                System.err.println("splitpoint: stopping the NBD server: " + e.getMessage());
            }
        }
    }

    /** Off the UI thread: turns the server's counters into per-client rates. */
    void sample() {
        NbdServer s = server;
        if (s != null) {
            sample(s.clients(), s.served());
        }
    }

    /**
     * Off the UI thread: the clients' counters now (this app's server's, or its holder's) into rates.
     * The host I/O rate is the change of what every client served ({@code served}; null from a holder
     * that does not say: the sum of the rows), so a client that came and went between two samples (an
     * nbdcopy of a second) counts too; the rows' rates are of the clients connected at both.
     */
    private synchronized void sample(List<ClientStats> now, org.splitpoint.engine.nbd.ServedBytes served) {
        long nanos = System.nanoTime();
        double secs = lastNanos == 0 ? 1 : Math.max(1e-3, (nanos - lastNanos) / 1e9);
        List<ClientRow> rows = new ArrayList<>();
        Map<Long, ClientStats> seen = new HashMap<>();
        for (ClientStats c : now) {
            ClientStats before = last.get(c.id());
            double r = before == null ? 0 : (c.bytesRead() - before.bytesRead()) / secs;
            double w = before == null ? 0 : (c.bytesWritten() - before.bytesWritten()) / secs;
            rows.add(new ClientRow(c.id(), c.remote(), c.export(), c.readOnly(), r, w, c.requests(), SINCE.format(c.since())));
            seen.put(c.id(), c);
        }
        double readTotal;
        double writeTotal;
        if (served != null && lastServed != null) {
            readTotal = Math.max(0, served.read() - lastServed.read()) / secs;
            writeTotal = Math.max(0, served.written() - lastServed.written()) / secs;
        } else {
            readTotal = rows.stream().mapToDouble(ClientRow::readBytesPerSecond).sum();
            writeTotal = rows.stream().mapToDouble(ClientRow::writeBytesPerSecond).sum();
        }
        last.clear();
        last.putAll(seen);
        lastNanos = nanos;
        lastServed = served;
        clientUpdates.offer(new Sample(List.copyOf(rows), readTotal, writeTotal));
    }
}
