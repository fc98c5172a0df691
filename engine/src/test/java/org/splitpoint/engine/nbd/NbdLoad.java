package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Load for NBD server tests: a client streaming requests with many in flight, and a latency probe. */
final class NbdLoad {

    private NbdLoad() {
    }

    /**
     * A client keeping {@code depth} requests of one kind in flight over [0, span) until stopped (or
     * {@code limit} requests were sent), a sender thread and a reply reader of its own.
     */
    static final class Stream implements AutoCloseable {

        final NbdTestClient client;
        final Map<Integer, AtomicLong> errors = new ConcurrentHashMap<>();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        private final Semaphore window;
        private final Map<Long, Integer> readLengths = new ConcurrentHashMap<>();
        private final Thread sender;
        private final Thread receiver;
        private volatile boolean stop;
        private volatile Throwable failure;

        Stream(int port, String export, int type, int length, int depth, long span, long limit) throws IOException {
            client = new NbdTestClient(port);
            client.go(export, Nbd.OPT_GO);
            window = new Semaphore(depth);
            byte[] payload = type == Nbd.CMD_WRITE ? pattern(length) : null;
            sender = new Thread(() -> {
                try {
                    long offset = 0;
                    for (long h = 1; !stop && h <= limit; h++) {
                        while (!window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                            if (stop) {
                                return;
                            }
                        }
                        if (offset + length > span) {
                            offset = 0;
                        }
                        if (type == Nbd.CMD_READ) {
                            readLengths.put(h, length);
                        }
                        client.write(header(type, h, offset, length));
                        // in slices: NIO sends a heap buffer through a temporary direct copy of it,
                        // kept per thread; whole 32 MiB payloads would count in the server's memory
                        for (int at = 0; payload != null && at < payload.length; at += 256 << 10) {
                            client.write(ByteBuffer.wrap(payload, at, Math.min(256 << 10, payload.length - at)));
                        }
                        sent.incrementAndGet();
                        offset += length;
                    }
                } catch (Throwable t) {
                    if (!stop) {
                        failure = t;
                    }
                }
            }, "test-stream-send");
            receiver = new Thread(() -> {
                try {
                    while (true) {
                        NbdTestClient.Reply r = client.reply(h -> {
                            Integer n = readLengths.remove(h);
                            return n == null ? 0 : n;
                        });
                        if (r.error() != 0) {
                            errors.computeIfAbsent(r.error(), e -> new AtomicLong()).incrementAndGet();
                        }
                        answered.incrementAndGet();
                        window.release();
                    }
                } catch (Throwable t) {
                    if (!stop) {
                        failure = t;
                    }
                }
            }, "test-stream-receive");
            sender.start();
            receiver.start();
        }

        /** Waits until {@code n} requests were answered (or the timeout passed); true if they were. */
        boolean awaitAnswered(long n, long millis) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (answered.get() < n && System.nanoTime() < until) {
                if (failure != null) {
                    throw new AssertionError("the streaming client failed", failure);
                }
                Thread.sleep(5);
            }
            return answered.get() >= n;
        }

        /** Stops sending, and waits for the replies of what was sent (up to {@code millis}). */
        void finish(long millis) throws InterruptedException {
            stop = true;
            sender.join(millis);
            awaitAnswered(sent.get(), millis);
        }

        Throwable failure() {
            return failure;
        }

        @Override
        public void close() throws IOException {
            stop = true;
            client.close();
            try {
                sender.join(5000);
                receiver.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Latencies in nanoseconds of {@code count} 4 KiB reads at spread offsets of [0, span), one at a time. */
    static long[] probe(NbdTestClient c, int count, long span, long pauseMicros) throws IOException, InterruptedException {
        long[] lat = new long[count];
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < count; i++) {
            long offset = (rnd.nextLong() & Long.MAX_VALUE) % (span / 4096) * 4096;
            long t0 = System.nanoTime();
            c.request(Nbd.CMD_READ, 0, i, offset, 4096, null);
            NbdTestClient.Reply r = c.reply(h -> 4096);
            lat[i] = System.nanoTime() - t0;
            if (r.error() != 0) {
                throw new AssertionError("probe read " + i + " failed with error " + r.error());
            }
            if (pauseMicros > 0) {
                TimeUnit.MICROSECONDS.sleep(pauseMicros);
            }
        }
        return lat;
    }

    /** The {@code q} quantile (0..1) of {@code nanos}, in milliseconds. */
    static double quantileMillis(long[] nanos, double q) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.min(s.length - 1, Math.ceil(q * s.length) - 1);
        return s[Math.max(0, i)] / 1e6;
    }

    static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** Direct buffer bytes the JVM has allocated and not yet freed. */
    static long directUsed() {
        for (var p : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) {
                return p.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool bean");
    }

    /** A log that tests can read: every line the server logged. */
    static final class Log implements java.util.function.Consumer<String> {
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void accept(String s) {
            lines.add(s);
        }

        List<String> matching(String part) {
            synchronized (lines) {
                return lines.stream().filter(l -> l.contains(part)).toList();
            }
        }

        @Override
        public String toString() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }

    static ByteBuffer header(int type, long handle, long offset, int length) {
        return ByteBuffer.allocate(28).putInt(Nbd.REQUEST_MAGIC).putShort((short) 0).putShort((short) type)
                .putLong(handle).putLong(offset).putInt(length).flip();
    }
}
