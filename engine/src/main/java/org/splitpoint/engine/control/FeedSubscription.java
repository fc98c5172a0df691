package org.splitpoint.engine.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The client end of a {@link PoolFeed} subscription: connects to the control socket of a held
 * pool (only a holder running as this user, as {@link ControlClient} checks), says hello, then
 * hands out the holder's messages one at a time. The wire format is described on {@link PoolFeed}.
 */
public final class FeedSubscription implements AutoCloseable {

    private static final ObjectMapper JSON = PoolFeed.json();

    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final JsonNode hello;

    private FeedSubscription(SocketChannel channel, DataInputStream in, DataOutputStream out, JsonNode hello) {
        this.channel = channel;
        this.in = in;
        this.out = out;
        this.hello = hello;
    }

    /**
     * Subscribes to the holder of {@code poolDir}; null when no process listens on its control
     * socket. Throws {@link ControlClient.Refused} with the holder's sentence when it refuses.
     */
    public static FeedSubscription open(Path poolDir) throws IOException {
        SocketChannel ch = ControlClient.connect(poolDir);
        if (ch == null) {
            return null;
        }
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(ChannelStreams.in(ch)));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ChannelStreams.out(ch)));
            ObjectNode req = JSON.createObjectNode().put("version", PoolFeed.VERSION)
                    .put("pid", ProcessHandle.current().pid());
            byte[] b = JSON.writeValueAsBytes(req);
            Frames.write(out, Frames.SUBSCRIBE, b, 0, b.length);
            JsonNode first = readMessage(in);
            if (first == null) {
                throw new EOFException("the holder of pool " + poolDir + " closed the connection before saying hello");
            }
            if ("refused".equals(first.path("type").asText())) {
                throw new ControlClient.Refused(first.path("message").asText("the holder refused the subscription"));
            }
            if (!"hello".equals(first.path("type").asText())) {
                throw new IOException("the holder of pool " + poolDir + " answered a subscription with '"
                        + first.path("type").asText() + "', not hello");
            }
            return new FeedSubscription(ch, in, out, first);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The holder's hello: {@code holder}, {@code pid}, {@code pool}, {@code version}. */
    public JsonNode hello() {
        return hello;
    }

    /** What holds the pool, as the title bar says it: "serve, pid 1234". */
    public String holderName() {
        return hello.path("holder").asText("another process") + ", pid " + hello.path("pid").asLong();
    }

    /** The next message of the holder (blocking), or null when the stream ended. */
    public JsonNode next() throws IOException {
        return readMessage(in);
    }

    /** Asks for the track messages of {@code pair} (null: none). */
    public void watch(String pair) throws IOException {
        send(watchRequest("watch", "pair", pair));
    }

    /**
     * Asks for the restore messages of {@code volume}'s instant restore ({@code snapshot}: a restore
     * to a snapshot, else from a backup) with the progress of job {@code job}; {@code volume} null: none.
     */
    public void watchRestore(String volume, boolean snapshot, String job) throws IOException {
        ObjectNode m = watchRequest("watchRestore", "volume", volume);
        if (volume != null) {
            m.put("source", snapshot ? "snapshot" : "backup").put("job", job);
        }
        send(m);
    }

    /** Asks for the window messages of {@code volume}'s service window; {@code volume} null: none. */
    public void watchWindow(String volume) throws IOException {
        send(watchRequest("watchWindow", "volume", volume));
    }

    /** {@code {"type":TYPE, FIELD:VALUE}}, or {@code {"type":"unTYPE"}} when {@code value} is null (the watch ends). */
    private static ObjectNode watchRequest(String type, String field, String value) {
        ObjectNode m = JSON.createObjectNode();
        return value == null ? m.put("type", "un" + type) : m.put("type", type).put(field, value);
    }

    /** Asks the holder for its state of this instant; it answers {@code synced} with {@code id}. */
    public void sync(long id) throws IOException {
        send(JSON.createObjectNode().put("type", "sync").put("id", id));
    }

    private synchronized void send(ObjectNode m) throws IOException { // requests come from several threads: one frame at a time
        byte[] b = JSON.writeValueAsBytes(m);
        Frames.write(out, Frames.MESSAGE, b, 0, b.length);
    }

    private static JsonNode readMessage(DataInputStream in) throws IOException {
        while (true) {
            Frames.Frame f;
            try {
                f = Frames.read(in);
            } catch (EOFException | java.nio.channels.AsynchronousCloseException end) {
                return null;
            }
            if (f.type() == Frames.MESSAGE) {
                return JSON.readTree(f.data());
            }
        }
    }

    /** Leaves the stream; the holder carries on. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
