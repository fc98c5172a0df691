package org.splitpoint.engine.control;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.event.EventListener;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.nbd.ClientStats;
import org.splitpoint.engine.pair.HydrationFeed;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolPaths;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The subscription stream of a held pool: what a process attached to the holder (the app, when
 * {@code serve} holds the pool) needs to show the pool live. Actions do not travel here: they are
 * the forwarded {@code ./splitpoint} commands of {@link ControlServer}, run by the holder.
 *
 * <p>Wire format, version {@value #VERSION}. The client opens a connection to the control socket
 * and sends one {@code S} frame, {@code {"version":1,"pid":N}}. A client of another user, or one
 * that speaks another major version, gets {@code {"type":"refused","message":...}} and the
 * connection closes. Otherwise both sides exchange {@code M} frames (type byte, 32-bit length),
 * each one JSON object with a {@code type}:
 * <ul>
 * <li>holder to client, first: {@code hello} — {@code version}, {@code holder} (what holds the
 *     pool: {@code serve} or {@code app}), {@code pid}, {@code pool} (its directory);</li>
 * <li>{@code events} — {@code events}: a list of {@link Event}s (time ISO-8601, severity, type,
 *     source, message); the first one carries the log's recent history and {@code history:true};</li>
 * <li>{@code snapshot} — {@code snapshot} ({@link PoolSnapshot}: drives, volumes, job progress,
 *     snapshots...), {@code pairs} (the {@link PairView}s of {@code pair query}, each with its
 *     copy job's progress) and {@code journals} (volume to {@link JournalAdmin.Status}); sent when
 *     any of them changed (looked at every {@value #SNAPSHOT_MILLIS} ms and at once after an event)
 *     and at least every {@value #HEARTBEAT_MILLIS} ms, so a silent holder is a gone holder;</li>
 * <li>{@code track} — while the client watches a pair: {@code pair}, {@code state},
 *     {@code trackSize}, {@code totalTracks}, {@code std} and {@code bcv} (the invalid-track
 *     bitmaps as base64 of big-endian 64-bit words), {@code hydrated} (tracks read on demand from
 *     the BCV since the previous track message: the read flashes), {@code onDemandReads},
 *     {@code onDemandPerSecond}; looked at every {@value #TRACK_MILLIS} ms, sent when anything in it
 *     changed or reads were served on demand, else every {@value #HEARTBEAT_MILLIS} ms;</li>
 * <li>{@code restore} — while the client watches a volume's instant restore (from a backup, or to
 *     a snapshot): {@code volume}, {@code trackSize}, {@code totalTracks}, {@code currentTracks},
 *     the bitmaps {@code owed}, {@code hostWritten}, {@code fetchedOnDemand}, {@code bulkCopied}
 *     (as {@code std} above), {@code fetched} (tracks fetched on demand since the previous restore
 *     message: the read flashes), {@code onDemandFetches}, {@code onDemandPerSecond}, {@code image}
 *     (the image restored from, or null), {@code chainImages}, {@code unavailable},
 *     {@code writeThrough} (the id of the image written through, or null), {@code job} (the
 *     progress of the watched job, or null), {@code ended} (the restore just ended: its last
 *     picture); every {@value #TRACK_MILLIS} ms while one runs;</li>
 * <li>{@code window} — while the client watches a volume's service window: the fields of a drill's
 *     window line ({@code pool.DrillLines#windowNode}: {@code volume}, {@code trackSize}, {@code phase}
 *     ({@code window}, {@code resync}, or null when none is open), {@code tracks}, {@code owed}); looked
 *     at every {@value #TRACK_MILLIS} ms, sent when it changed, else every {@value #HEARTBEAT_MILLIS} ms;</li>
 * <li>{@code clients} — when the holder serves the pool over NBD ({@code serve}): {@code clients},
 *     its connected clients as {@link ClientStats} (id, remote, export, readOnly, since, bytesRead,
 *     bytesWritten, requests: counters, so the client makes the rates) and {@code served} ({@code read},
 *     {@code written}: every client's bytes since the server started, gone ones included, whose change
 *     is the host I/O rate); every
 *     {@value #CLIENTS_MILLIS} ms;</li>
 * <li>{@code synced} — {@code id}: the answer to a {@code sync} request, sent after a snapshot
 *     message if anything changed since the last one, so the client has the holder's state of
 *     that instant;</li>
 * <li>{@code bye} — {@code message}: the holder is closing the pool; the connection ends.</li>
 * </ul>
 * Client to holder: {@code {"type":"watch","pair":NAME}} (track messages of that pair from now
 * on; a later watch replaces it), {@code {"type":"unwatch"}}, and {@code {"type":"sync","id":N}}
 * (after an action the client had the holder carry out: answered by {@code synced}),
 * {@code {"type":"watchRestore","volume":V,"source":"backup"|"snapshot","job":ID}} and
 * {@code {"type":"unwatchRestore"}}, {@code {"type":"watchWindow","volume":V}} and
 * {@code {"type":"unwatchWindow"}}. Unknown types and fields are
 * ignored both ways, so a minor addition needs no new version.
 *
 * <p>Design. One thread per subscriber polls (the engine never waits for a subscriber: events are
 * queued by the bus's listener and sent by that thread); a subscriber that stops reading only
 * blocks its own thread. A write that fails ends the subscription and removes its listener.
 */
public final class PoolFeed implements AutoCloseable {

    /** The major version of the wire format; a client of another one is refused. */
    public static final int VERSION = 1;
    static final long SNAPSHOT_MILLIS = 500;
    static final long HEARTBEAT_MILLIS = 5000;
    static final long TRACK_MILLIS = 250;
    static final long CLIENTS_MILLIS = 1000;
    private static final int HISTORY = 200;
    private static final int MAX_QUEUED_EVENTS = 10_000;
    private static final System.Logger LOG = System.getLogger(PoolFeed.class.getName());

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Pool pool;
    private final String holder;
    private volatile org.splitpoint.engine.nbd.NbdServer server;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** The feed of {@code pool}, held by {@code holder} ({@code serve} or {@code app}: shown to attached clients). */
    public PoolFeed(Pool pool, String holder) {
        this.pool = pool;
        this.holder = holder;
    }

    /**
     * The holder serves the pool over NBD: its clients go to every subscriber (an attached app shows
     * them, and their I/O as the host I/O, as it would of its own server).
     */
    public PoolFeed serving(org.splitpoint.engine.nbd.NbdServer server) {
        this.server = server;
        return this;
    }

    /** The JSON mapping of the wire format (ISO times, unknown fields ignored), for clients decoding messages. */
    public static ObjectMapper json() {
        return JSON;
    }

    /** How many subscribers are connected now. */
    public int subscribers() {
        return sessions.size();
    }

    static void refuse(DataOutputStream out, String message) throws IOException {
        ObjectNode m = JSON.createObjectNode().put("type", "refused").put("message", message);
        byte[] b = JSON.writeValueAsBytes(m);
        Frames.write(out, Frames.MESSAGE, b, 0, b.length);
    }

    /** Serves one subscriber until it leaves or the feed closes; blocks the calling (connection) thread. */
    void serve(JsonNode request, DataInputStream in, DataOutputStream out, SocketChannel channel) throws IOException {
        int version = request.path("version").asInt(0);
        if (version != VERSION) {
            refuse(out, "this holder speaks version " + VERSION + " of the subscription stream, not " + version
                    + "; use the same splitpoint version as the holder");
            return;
        }
        if (closed) {
            refuse(out, "the holder is closing the pool");
            return;
        }
        Session s = new Session(out, channel);
        String who = "process " + request.path("pid").asLong();
        sessions.add(s);
        pool.events().addListener(s);
        pool.events().publish(Event.info("COMMAND", "control", who + " attached to follow the pool live"));
        if (closed) { // close() went through the sessions before this one was among them
            s.bye("the holder (" + holder + ", pid " + ProcessHandle.current().pid() + ") closed the pool");
        }
        try {
            s.run(in);
        } catch (IOException e) {
            if (!s.ended && !closed) {
                throw e;
            } // a subscriber that left while a message was on its way: not a failure
        } finally {
            pool.events().removeListener(s);
            sessions.remove(s);
            if (!closed) {
                pool.events().publish(Event.info("COMMAND", "control", who + " detached"));
            }
        }
    }

    /** Says goodbye to every subscriber and ends their streams; new ones are refused. */
    @Override
    public void close() {
        closed = true;
        String why = "the holder (" + holder + ", pid " + ProcessHandle.current().pid() + ") closed the pool";
        List<Thread> byes = new ArrayList<>();
        for (Session s : sessions) {
            // a subscriber that stopped reading must not hold up the holder's close: each bye gets
            // its own thread and a bounded wait, then the connection is cut
            Thread t = new Thread(() -> s.bye(why), "splitpoint-feed-bye");
            t.setDaemon(true);
            t.start();
            byes.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Thread t : byes) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Session s : sessions) {
            s.end(); // only those whose bye is still stuck
        }
    }

    /** One subscriber: its queue of events, the pair it watches, and the thread that writes to it. */
    private final class Session implements EventListener {
        private final DataOutputStream out;
        private final SocketChannel channel;
        private final ConcurrentLinkedQueue<Event> queued = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queuedCount = new AtomicInteger();
        private final Object wake = new Object();
        private volatile boolean ended;
        private volatile String watched;
        private String sampledPair;
        private long hydrationSeq = -1;
        private PoolSnapshot lastSnapshot;
        private List<PairView> lastPairs;
        private Map<String, JournalAdmin.Status> lastJournals;
        private long lastSnapshotSent;
        private long lastLook;
        private long lastTrack;
        private long lastTrackLook;
        private long lastTrackSent;
        private volatile int watchEpoch;
        private volatile RestoreWatch restoreWatch;
        private RestoreWatch sampledRestore;
        private org.splitpoint.engine.restore.InstantRestore heldRestore;
        private long fetchSeq = -1;
        private long lastRestore;
        private long lastClients;
        private volatile String windowWatch;
        private volatile int windowEpoch; // counts watchWindow requests (the reader writes it, the writer reads it)
        private int sentEpoch;
        private final org.splitpoint.engine.pool.DrillLines.WindowChanges windows =
                new org.splitpoint.engine.pool.DrillLines.WindowChanges();
        private long lastWindowLook;
        private long lastWindowSent;
        private final ConcurrentLinkedQueue<Long> syncs = new ConcurrentLinkedQueue<>();
        private int sampledEpoch;
        private boolean eventSinceLook;

        Session(DataOutputStream out, SocketChannel channel) {
            this.out = out;
            this.channel = channel;
        }

        @Override
        public void onEvent(Event e) {
            if (queuedCount.incrementAndGet() > MAX_QUEUED_EVENTS) {
                queuedCount.decrementAndGet(); // a subscriber this far behind is gone; its writer ends it
                return;
            }
            queued.add(e);
            synchronized (wake) {
                wake.notifyAll();
            }
        }

        void run(DataInputStream in) throws IOException {
            Thread reader = new Thread(() -> readRequests(in), "splitpoint-feed-requests");
            reader.setDaemon(true);
            reader.start();
            send(JSON.createObjectNode().put("type", "hello").put("version", VERSION).put("holder", holder)
                    .put("pid", ProcessHandle.current().pid()).put("pool", pool.dir().toString()));
            sendHistory();
            // runs until the subscriber leaves or close() said bye: leaving on 'closed' alone would
            // close the connection (the server's try-with-resources) before the bye is written
            while (!ended) {
                tick();
                synchronized (wake) {
                    if (queued.isEmpty() && syncs.isEmpty() && !ended) {
                        try {
                            wake.wait(Math.min(SNAPSHOT_MILLIS, TRACK_MILLIS));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }

        private void tick() throws IOException {
            List<Event> batch = new ArrayList<>();
            for (Event e; (e = queued.poll()) != null; ) {
                queuedCount.decrementAndGet();
                batch.add(e);
            }
            if (!batch.isEmpty()) {
                sendEvents(batch, false);
                eventSinceLook = true;
            }
            long now = System.nanoTime();
            if (!syncs.isEmpty()) {
                lastLook = now;
                eventSinceLook = false;
                look(now); // the state of this instant, which includes what the client's action did
                for (Long id; (id = syncs.poll()) != null; ) {
                    send(JSON.createObjectNode().put("type", "synced").put("id", id));
                }
            }
            if (eventSinceLook || now - lastLook >= TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_MILLIS)) {
                lastLook = now;
                eventSinceLook = false;
                look(now);
            }
            if (watched != null && now - lastTrack >= TimeUnit.MILLISECONDS.toNanos(TRACK_MILLIS)) {
                lastTrack = now;
                sendTrack(watched);
            }
            RestoreWatch rw = restoreWatch;
            if (rw != null && now - lastRestore >= TimeUnit.MILLISECONDS.toNanos(TRACK_MILLIS)) {
                lastRestore = now;
                sendRestore(rw);
            }
            String ww = windowWatch;
            if (ww != null && now - lastWindowLook >= TimeUnit.MILLISECONDS.toNanos(TRACK_MILLIS)) {
                lastWindowLook = now;
                sendWindow(ww, now);
            }
            org.splitpoint.engine.nbd.NbdServer served = server;
            if (served != null && now - lastClients >= TimeUnit.MILLISECONDS.toNanos(CLIENTS_MILLIS)) {
                lastClients = now;
                ObjectNode m = JSON.createObjectNode().put("type", "clients");
                m.set("clients", JSON.valueToTree(served.clients()));
                m.set("served", JSON.valueToTree(served.served()));
                send(m);
            }
        }

        private void sendHistory() throws IOException {
            List<Event> history;
            try {
                pool.events().drain(); // what was published before we listened is in the log by now
                history = EventBus.readLog(new PoolPaths(pool.dir()).events(), HISTORY);
            } catch (IOException e) {
                history = List.of(Event.warning("ERROR", "feed", "the holder could not read the event log: "
                        + e.getMessage()));
            }
            sendEvents(history, true);
        }

        private void sendEvents(List<Event> events, boolean history) throws IOException {
            ObjectNode m = JSON.createObjectNode().put("type", "events");
            if (history) {
                m.put("history", true);
            }
            m.set("events", JSON.valueToTree(events));
            send(m);
        }

        /** Sends a snapshot when anything changed, or when the heartbeat is due. */
        private void look(long now) throws IOException {
            PoolSnapshot s = pool.snapshot();
            List<PairView> p = queryPairs();
            Map<String, JournalAdmin.Status> j = journals();
            boolean changed = !s.equals(lastSnapshot) || (p != null && !p.equals(lastPairs))
                    || (j != null && !j.equals(lastJournals));
            if (!changed && now - lastSnapshotSent < TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
                return;
            }
            lastSnapshot = s;
            lastPairs = p != null ? p : lastPairs;
            lastJournals = j != null ? j : lastJournals;
            lastSnapshotSent = now;
            ObjectNode m = JSON.createObjectNode().put("type", "snapshot");
            m.set("snapshot", JSON.valueToTree(s));
            m.set("pairs", JSON.valueToTree(lastPairs == null ? List.of() : lastPairs));
            m.set("journals", JSON.valueToTree(lastJournals == null ? Map.of() : lastJournals));
            send(m);
        }

        private List<PairView> queryPairs() {
            try {
                return List.copyOf(pool.pairs().query(null));
            } catch (PoolException | RuntimeException e) {
                return null; // the pair map changing under the query: the next look sees it settled
            }
        }

        private Map<String, JournalAdmin.Status> journals() {
            Map<String, JournalAdmin.Status> out = new TreeMap<>();
            try {
                for (String v : pool.journals().volumes()) {
                    try {
                        out.put(v, pool.journals().status(v));
                    } catch (PoolException | RuntimeException unreadable) {
                        // a journal whose status cannot be read: the client shows it from its drives
                    }
                }
            } catch (RuntimeException e) {
                return null;
            }
            return out;
        }

        private void sendTrack(String name) throws IOException {
            Pair pair;
            try {
                pair = pool.pairs().get(name);
            } catch (PoolException gone) {
                send(JSON.createObjectNode().put("type", "track").put("pair", name).put("missing", true));
                watched = null;
                return;
            }
            boolean fresh = !name.equals(sampledPair) || sampledEpoch != watchEpoch;
            if (fresh) { // a new watch starts with the whole map, and with no old reads as news
                sampledPair = name;
                sampledEpoch = watchEpoch;
                hydrationSeq = -1;
            }
            HydrationFeed.Batch batch = pair.hydratedSince(Math.max(0, hydrationSeq));
            long[] hydrated = hydrationSeq >= 0 ? batch.tracks() : new long[0]; // the first look only learns where the feed is
            hydrationSeq = batch.nextSeq();
            ObjectNode m = JSON.createObjectNode().put("type", "track").put("pair", name)
                    .put("state", pair.state().name()).put("trackSize", pair.trackSize())
                    .put("totalTracks", pair.totalTracks())
                    .put("onDemandReads", pair.onDemandReads()).put("onDemandPerSecond", pair.onDemandReadsPerSecond());
            long[] std = pair.stdInvalid().live().toWords();
            long[] bcv = pair.bcvInvalid().live().toWords();
            long look = java.util.Arrays.hashCode(std) * 31L + java.util.Arrays.hashCode(bcv)
                    + pair.state().hashCode() * 17L + pair.onDemandReads();
            long now = System.nanoTime();
            if (!fresh && hydrated.length == 0 && look == lastTrackLook
                    && now - lastTrackSent < TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
                return; // an unchanged map is not sent again (a large pair's bitmaps are megabytes)
            }
            lastTrackLook = look;
            lastTrackSent = now;
            m.put("std", TrackBitmap.wordBytes(std));
            m.put("bcv", TrackBitmap.wordBytes(bcv));
            m.set("hydrated", JSON.valueToTree(hydrated));
            send(m);
        }

        /** {@code volume}'s service window (none open: phase null) when it changed or a heartbeat is due. */
        private void sendWindow(String volume, long now) throws IOException {
            int epoch = windowEpoch;
            if (epoch != sentEpoch || now - lastWindowSent >= TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
                sentEpoch = epoch; // a new watch gets its picture at once, even one the last watch was sent
                windows.forget();
            }
            ObjectNode m = windows.next(volume, pool.trackSize(), pool.service().trackMap(volume));
            if (m != null) {
                lastWindowSent = now;
                send(m);
            }
        }

        /** A restore message while one runs, and one last when it ended; nothing while there is none. */
        private void sendRestore(RestoreWatch w) throws IOException {
            if (w != sampledRestore) {
                sampledRestore = w;
                heldRestore = null;
            }
            org.splitpoint.engine.restore.InstantRestore r = w.snapshot()
                    ? pool.snapshots().restoreOf(w.volume()) : pool.instantRestores().restoreOf(w.volume());
            boolean ended = false;
            if (r == null) {
                if (heldRestore == null) {
                    return;
                }
                r = heldRestore; // its bitmaps stay readable once the engine dropped it
                heldRestore = null;
                ended = true;
            } else if (r != heldRestore) {
                heldRestore = r;
                fetchSeq = -1;
            }
            HydrationFeed.Batch batch = r.fetchedSince(Math.max(0, fetchSeq));
            long[] fetched = fetchSeq >= 0 ? batch.tracks() : new long[0]; // the first look only learns where the feed is
            fetchSeq = batch.nextSeq();
            var chain = r.chain();
            ObjectNode m = JSON.createObjectNode().put("type", "restore").put("volume", w.volume())
                    .put("trackSize", r.trackSize()).put("totalTracks", r.totalTracks())
                    .put("currentTracks", r.currentTracks()).put("onDemandFetches", r.onDemandFetches())
                    .put("onDemandPerSecond", r.onDemandPerSecond()).put("chainImages", chain == null ? 0 : chain.images().size())
                    .put("unavailable", r.unavailable())
                    .put("writeThrough", r.writeThrough() == null ? null : r.writeThrough().header().id())
                    .put("ended", ended);
            m.put("owed", TrackBitmap.wordBytes(r.owedTracks().toWords()));
            m.put("hostWritten", TrackBitmap.wordBytes(r.hostWritten().toWords()));
            m.put("fetchedOnDemand", TrackBitmap.wordBytes(r.fetchedOnDemand().toWords()));
            m.put("bulkCopied", TrackBitmap.wordBytes(r.bulkCopied().toWords()));
            m.set("fetched", JSON.valueToTree(fetched));
            m.set("image", chain == null ? null : JSON.valueToTree(chain.target()));
            JobProgress job = null;
            for (org.splitpoint.engine.job.Job j : pool.jobs()) {
                if (j.id().equals(w.job())) {
                    job = j.progress();
                }
            }
            m.set("job", JSON.valueToTree(job));
            send(m);
        }

        private void readRequests(DataInputStream in) {
            try {
                while (!ended) {
                    Frames.Frame f = Frames.read(in);
                    if (f.type() != Frames.MESSAGE) {
                        continue;
                    }
                    JsonNode r = JSON.readTree(f.data());
                    switch (r.path("type").asText()) {
                        case "watch" -> {
                            watched = r.path("pair").asText(null);
                            watchEpoch++; // only this thread writes it
                        }
                        case "unwatch" -> watched = null;
                        case "sync" -> syncs.add(r.path("id").asLong());
                        case "watchRestore" -> restoreWatch = new RestoreWatch(r.path("volume").asText(),
                                "snapshot".equals(r.path("source").asText()), r.path("job").asText(""));
                        case "unwatchRestore" -> restoreWatch = null;
                        case "watchWindow" -> {
                            windowWatch = r.path("volume").asText(null);
                            windowEpoch++; // only this thread writes it
                        }
                        case "unwatchWindow" -> windowWatch = null;
                        default -> { } // a request of a later minor version: ignored
                    }
                    synchronized (wake) {
                        wake.notifyAll();
                    }
                }
            } catch (IOException gone) {
                end(); // the subscriber closed its end
            }
        }

        private void send(ObjectNode m) throws IOException {
            byte[] b = JSON.writeValueAsBytes(m);
            try {
                Frames.write(out, Frames.MESSAGE, b, 0, b.length);
            } catch (IOException e) {
                end();
                throw e;
            }
        }

        void bye(String message) {
            try {
                send(JSON.createObjectNode().put("type", "bye").put("message", message));
            } catch (IOException gone) {
                // the subscriber is gone already
            }
            end();
        }

        void end() {
            ended = true;
            synchronized (wake) {
                wake.notifyAll();
            }
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a subscriber: " + e.getMessage());
            }
        }
    }

    /** A watched instant restore: of which volume, from a backup or to a snapshot, under which job. */
    private record RestoreWatch(String volume, boolean snapshot, String job) { }

    /** Decodes a bitmap of a {@code track} message. */
    public static long[] words(JsonNode base64) throws IOException {
        return TrackBitmap.wordsOf(base64.binaryValue());
    }
}
