package org.splitpoint.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.splitpoint.engine.control.ControlServer;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.nbd.Export;
import org.splitpoint.engine.nbd.NbdServer;
import org.splitpoint.engine.nbd.NbdUri;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code splitpoint serve POOL}: holds the pool, exports its volumes over NBD, runs background
 * jobs, and carries out other {@code splitpoint} commands for this pool sent over its control
 * socket. Stops cleanly (flush, close) on SIGINT or SIGTERM.
 */
@Command(name = "serve", description = {"Export the pool's volumes over NBD and hold the pool for other commands.",
        "Every volume is an export named after it, every valid snapshot a read-only export VOLUME@NAME; a client"
                + " that names no export gets the default one. Structured replies, TRIM, WRITE_ZEROES (fast zero),"
                + " CACHE and block status are served; metadata contexts: base:allocation (zeros), on a pair's"
                + " volumes splitpoint:invalid (flag 1: invalid on the STD side, flag 2: on the BCV side), on a"
                + " volume with snapshots splitpoint:changed-since:SNAPSHOT (flag 1: track written since the"
                + " snapshot); both per track.",
        "Its terminal shows, each with the time, what the server says of its clients and what happens to the pool:"
                + " a drive or a volume changing state, a job started or ended, a snapshot made invalid, the save area"
                + " filling, a backup that failed, a command from another shell (at most 20 lines of each kind per"
                + " 10 s, the rest counted); --no-pool-events leaves the pool's out."})
final class ServeCommand implements Callable<Integer> {

    /**
     * "22:01:00": LocalTime's own text drops seconds that are zero ("22:01"), one line a minute
     * (ServeTest.serveSaysOnItsTerminalWhatItSaysOfItsClients failed in CI on such a line).
     */
    private static final java.time.format.DateTimeFormatter CLOCK_TIME =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss");

    /** A terminal line's stamp: "22:01:00". */
    static String clockTime(java.time.LocalTime t) {
        return CLOCK_TIME.format(t);
    }

    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "POOL",
            description = "pool directory")
    Path dir;
    @Option(names = "--nbd", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:10809",
            description = "TCP address to listen on (default ${DEFAULT-VALUE})")
    String nbd;
    @Option(names = "--socket", paramLabel = "PATH", description = "listen on a Unix socket instead of TCP; a file"
            + " already at PATH is never replaced unless it is a stale socket (nobody listening)")
    Path socket;
    @Option(names = "--default-export", paramLabel = "NAME", description = "the export a client gets when it names"
            + " none (nbd://HOST:PORT with no path); default: the first volume in the pool's order")
    String defaultExport;
    @Option(names = "--no-pool-events", description = "print only what the server says of its clients, not what happens"
            + " to the pool (drives and volumes changing state, jobs started and ended, snapshots made invalid, the"
            + " save area filling, commands from other shells); the pool's event log keeps them either way")
    boolean noPoolEvents;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (socket != null && spec.commandLine().getParseResult().hasMatchedOption("--nbd")) {
            // one listener: --socket used to win silently, and a client sent to the TCP address found nobody
            throw new IllegalArgumentException("--nbd and --socket are alternatives: serve on TCP (--nbd HOST:PORT)"
                    + " or on a Unix socket (--socket PATH), not both");
        }
        Path poolDir = CliContext.current().resolve(dir);
        if (socket != null) {
            Path nbdSocket = CliContext.current().resolve(socket);
            for (Path control : new Path[] {org.splitpoint.engine.control.ControlServer.socketOf(poolDir),
                    org.splitpoint.engine.control.ControlServer.pointerOf(poolDir)}) {
                if (nbdSocket.toAbsolutePath().normalize().equals(control.toAbsolutePath().normalize())) {
                    // the NBD socket took the path, then the control socket found it taken by "another process"
                    throw new IllegalArgumentException("--socket " + nbdSocket + " is where the pool's control socket"
                            + " goes (commands for the pool reach serve through it); choose another path, such as "
                            + poolDir + ".sock");
                }
            }
        }
        String host = null;
        int port = 0;
        if (socket == null) {
            String[] hostPort = hostAndPort(nbd);
            host = hostPort[0];
            try {
                port = Integer.parseInt(hostPort[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--nbd port must be a number, not '" + hostPort[1] + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--nbd port must be 0..65535, not " + port);
            }
            try {
                java.net.InetAddress.getByName(host);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("--nbd host '" + host + "' does not resolve to an address"
                        + " (give an address of this machine, such as 127.0.0.1)");
            }
        }
        Pool pool = Pool.open(poolDir);
        for (String note : pool.openNotes()) {
            err.println("splitpoint: note: " + note);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        NbdServer opened = null;
        ControlServer control;
        PoolExports exports = new PoolExports(pool, defaultExport);
        java.util.concurrent.ScheduledExecutorService calm = null;
        PoolEventLines eventLines = null;
        try {
            if (defaultExport != null && (defaultExport.isEmpty() || exports.find(defaultExport) == null)) {
                throw new Splitpoint.CommandFailed("--default-export " + defaultExport + " is not an export of this pool"
                        + " (exports: " + String.join(", ", exports.list().stream().map(Export::name).toList()) + ")");
            }
            // what the server has to say of its clients (a retired connection and why, a protocol error, a
            // stall) goes to the pool's event log and to this terminal, where the administrator watches serve
            // the local time zone's rules are read from a file at their first use: read them now, while
            // descriptors are free. A serve that first stamped a line when it ran out of them (the
            // accept loop saying so) failed to load them, and from then on could stamp no line at all
            // (NoClassDefFoundError), so its terminal said nothing more, ever.
            java.time.Clock local = java.time.Clock.systemDefaultZone();
            java.time.LocalTime.now(local);
            java.util.function.Consumer<String> log = m -> {
                pool.events().publish(Event.info("NBD", "serve", m));
                err.println("splitpoint: " + clockTime(java.time.LocalTime.now(local)) + " " + m);
                err.flush();
            };
            if (!noPoolEvents) {
                // what happens to the pool, on this terminal too (see PoolEventLines); the opening's events are
                // delivered first, as its notes were printed above
                pool.events().drain();
                PoolEventLines lines = new PoolEventLines(m -> {
                    err.println(m);
                    err.flush();
                }, local.getZone(), System::nanoTime);
                pool.events().addListener(lines);
                calm = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "splitpoint-serve-event-lines");
                    t.setDaemon(true);
                    return t;
                });
                calm.scheduleWithFixedDelay(lines::calm, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
                eventLines = lines;
            }
            opened = socket != null ? NbdServer.unix(CliContext.current().resolve(socket), exports, log)
                    : listen(host, port, exports, log);
            control = ControlServer.start(poolDir, new HeldPoolCommands(pool),
                    m -> pool.events().publish(Event.info("COMMAND", "control", m)));
            NbdServer served = opened;
            control.offerSubscriptions(new org.splitpoint.engine.control.PoolFeed(pool, "serve") // the app attaches here
                    .serving(served)); // and shows the clients of this server
        } catch (Exception | Error e) { // an Error too (a thread that cannot start): else the server listened on, the pool held
            if (opened != null) {
                opened.close();
            }
            if (calm != null) {
                calm.shutdownNow();
            }
            pool.close();
            throw e;
        }
        NbdServer server = opened;
        if (socket == null && !NbdServer.isLoopback(host)) {
            err.println("splitpoint: warning: NBD has no authentication; anyone who can reach " + server.address()
                    + " can read and write these volumes");
        }
        String def = exports.defaultName();
        String address = server.address();
        if (def == null) {
            var area = pool.snapshots().saveArea();
            String saveArea = area == null ? null : area.volume();
            out.println("serving pool " + poolDir + " on " + NbdUri.of(address, "") + " (no default export: "
                    + (saveArea == null ? "the pool has no volume yet" : "its only volume, " + saveArea
                    + ", is the save area, which is not served") + "; Ctrl-C stops cleanly)");
        } else {
            out.println("serving pool " + poolDir + " on " + NbdUri.of(address, def) + " (the default export " + def
                    + ", also " + NbdUri.of(address, "") + "; Ctrl-C stops cleanly)");
        }
        out.println("trim and zeroing give drive space back through " + org.splitpoint.engine.io.Zeros.deallocator());
        out.println("exports (nbdinfo --list '" + NbdUri.of(address, "") + "'):");
        for (Export e : exports.list()) {
            out.println("  " + e.name() + "  " + e.device().size() + " bytes  " + e.description() + "  "
                    + NbdUri.of(address, e.name()));
        }
        out.flush();
        // images changed under us; restores waiting for their backup store
        AutoCloseable imageCheck = org.splitpoint.engine.pool.HolderChecks.watch(pool);
        java.util.concurrent.ScheduledExecutorService calming = calm;
        PoolEventLines lastLines = eventLines;
        Thread hook = new Thread(() -> {
            try {
                closeEach(err, imageCheck, server, control, pool, () -> {
                    if (calming != null) {
                        calming.shutdownNow(); // after the pool, whose close delivers its last events
                        lastLines.end(); // and what the last window left out, said now
                    }
                });
            } finally {
                stopped.countDown();
            }
        }, "splitpoint-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }

    /**
     * Closes each of {@code steps} in order, each whatever the ones before did: a failure is said on
     * {@code err} and the next step still runs. A server whose last flush failed still closes the
     * control socket and the pool (which drains the event log and releases the writer lock); one
     * try around them all skipped every later step.
     */
    static void closeEach(java.io.PrintWriter err, AutoCloseable... steps) {
        for (AutoCloseable step : steps) {
            try {
                step.close();
            } catch (Exception | Error e) {
                err.println("splitpoint: shutdown: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                err.flush();
            }
        }
    }

    /**
     * The host and the port of {@code --nbd HOST:PORT}, an IPv6 host in brackets ({@code [::1]:10809}):
     * the colons of a bare IPv6 address left no telling where the port began.
     */
    static String[] hostAndPort(String nbd) {
        String ipv6 = "--nbd '" + nbd + "' is not HOST:PORT: write an IPv6 address in brackets, as in [::1]:10809";
        if (nbd.startsWith("[")) {
            int close = nbd.indexOf(']');
            if (close < 0 || !nbd.startsWith(":", close + 1)) {
                throw new IllegalArgumentException(ipv6);
            }
            return new String[] {nbd.substring(1, close), nbd.substring(close + 2)};
        }
        int colon = nbd.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--nbd must be HOST:PORT, not '" + nbd + "'");
        }
        if (nbd.substring(0, colon).contains(":")) {
            throw new IllegalArgumentException(ipv6);
        }
        return new String[] {nbd.substring(0, colon), nbd.substring(colon + 1)};
    }

    /** Listens on TCP, saying which address could not be had and why. */
    private static NbdServer listen(String host, int port, PoolExports exports, java.util.function.Consumer<String> log)
            throws java.io.IOException {
        String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        try {
            return NbdServer.tcp(host, port, exports, log);
        } catch (java.net.BindException e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains("in use")) {
                throw new Splitpoint.CommandFailed("cannot listen on " + address + ": the address is already in use"
                        + " (another server listens there); stop it or choose another port with --nbd HOST:PORT");
            }
            if (why.contains("assign requested address")) {
                throw new Splitpoint.CommandFailed("cannot listen on " + address + ": " + host + " is not an address"
                        + " of this machine; choose one of its addresses with --nbd HOST:PORT");
            }
            if (why.contains("ermission denied")) {
                throw new Splitpoint.CommandFailed("cannot listen on " + address + ": permission denied (ports below"
                        + " 1024 need privileges); choose a port of 1024 or more");
            }
            throw new Splitpoint.CommandFailed("cannot listen on " + address + ": " + why);
        } catch (java.nio.channels.UnresolvedAddressException e) {
            throw new IllegalArgumentException("--nbd host '" + host + "' does not resolve to an address");
        }
    }
}
