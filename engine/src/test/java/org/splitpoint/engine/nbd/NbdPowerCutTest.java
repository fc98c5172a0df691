package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * What NBD promises of durability, through the whole server, against a power cut that loses every
 * write nobody forced: the writes answered before a FLUSH was sent (on another connection: the
 * server says CAN_MULTI_CONN) survive once the FLUSH is answered; a write, zeroing or trim with FUA
 * survives once it is answered. Writes are pipelined, unaligned, and larger than a piece, so a
 * request's pieces run on several workers and its FUA must wait for all of them.
 */
@Timeout(120)
class NbdPowerCutTest {

    private static final int TRACK = 65536;
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /**
     * With {@code fua} false the cut comes after the FLUSH and unflushed writes, so only the FLUSH
     * can have made the first writes durable; with {@code fua} true, FUA requests come between them
     * (each of which flushes the whole device, the first writes included).
     */
    @ParameterizedTest
    @CsvSource({"RAID1,false", "RAID1,true", "RAID5,false", "RAID5,true"})
    void flushedAndFuaWritesSurviveACutAndTheOthersAreNotPromised(Layout layout, boolean fua) throws Exception {
        Pool.create(dir, 3, 64L << 20, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", layout, layout == Layout.RAID1 ? List.of("d1", "d2") : List.of("d1", "d2", "d3"), 0);
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 7).unforcedWritesLost();
        Pool pool = Pool.open(dir, inj);
        NbdServer server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), m -> { });
        Random rnd = new Random(layout.ordinal() * 31L + (fua ? 5 : 6));
        byte[] model;
        BitSet promised = new BitSet();
        try (NbdTestClient writer = new NbdTestClient(server.port()); NbdTestClient flusher = new NbdTestClient(server.port())) {
            writer.go("v", Nbd.OPT_GO);
            flusher.go("v", Nbd.OPT_GO);
            model = new byte[(int) writer.size];
            long[] next = {4096 + 17};
            // 1. pipelined writes, all answered, then a FLUSH on the other connection covers them
            List<long[]> first = new ArrayList<>();
            List<Request> batch = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                long[] r = fresh(rnd, next, model.length);
                first.add(r);
                batch.add(Request.write(r, 0, rnd));
            }
            run(writer, batch, model);
            flusher.request(Nbd.CMD_FLUSH, 0, 900, 0, 0, null);
            assertThat(flusher.reply(h -> 0).error()).isZero();
            first.forEach(r -> promised.set((int) r[0], (int) (r[0] + r[1])));
            // 2. with FUA, each durable once answered: writes to fresh ranges, zeroings and trims
            //    over parts of the flushed writes
            batch.clear();
            for (int i = 0; i < (fua ? 9 : 0); i++) {
                long[] r;
                if (i % 3 == 0) {
                    r = fresh(rnd, next, model.length);
                    batch.add(Request.write(r, Nbd.CMD_FLAG_FUA, rnd));
                } else {
                    long[] w = first.get(rnd.nextInt(first.size()));
                    long from = w[0] + rnd.nextInt((int) w[1]);
                    r = new long[] {from, 1 + rnd.nextInt((int) (w[0] + w[1] - from))};
                    batch.add(new Request(i % 3 == 1 ? Nbd.CMD_WRITE_ZEROES : Nbd.CMD_TRIM, Nbd.CMD_FLAG_FUA, r, null));
                }
                promised.set((int) r[0], (int) (r[0] + r[1]));
            }
            run(writer, batch, model);
            // 3. writes nobody flushed, to ranges of their own: a cut may lose them (not checked)
            batch.clear();
            for (int i = 0; i < 6; i++) {
                batch.add(Request.write(fresh(rnd, next, model.length), 0, rnd));
            }
            run(writer, batch, model);
        }
        inj.crash();
        try {
            server.close(); // its last flush finds the power gone: nothing more reaches the disks
        } catch (IOException expected) {
            // the exports' flush failed after the cut
        }
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            byte[] got = new byte[model.length];
            reopened.device("v").read(0, ByteBuffer.wrap(got));
            for (int at = promised.nextSetBit(0); at >= 0; at = promised.nextSetBit(at + 1)) {
                if (got[at] != model[at]) {
                    int end = promised.nextClearBit(at);
                    throw new AssertionError(layout + (fua ? " with FUA" : "") + ": byte " + at + " (of the promised run up to " + end + ") is "
                            + got[at] + " after the cut, but " + model[at] + " was answered before a FLUSH was answered"
                            + " or with FUA");
                }
            }
        }
    }

    /** One request: a command with flags over range {offset, length}, with its payload for a write. */
    private record Request(int type, int flags, long[] range, byte[] data) {
        static Request write(long[] range, int flags, Random rnd) {
            byte[] d = new byte[(int) range[1]];
            rnd.nextBytes(d);
            return new Request(Nbd.CMD_WRITE, flags, range, d);
        }
    }

    /** A range of up to 3 MiB after the last one (so several pieces), unaligned, inside a volume of {@code size}. */
    private static long[] fresh(Random rnd, long[] next, long size) {
        long[] r = {next[0], 1 + rnd.nextInt(3 * MIB)};
        next[0] += r[1] + 1 + rnd.nextInt(8192);
        assertThat(next[0]).as("the ranges fit in the volume").isLessThan(size);
        return r;
    }

    /** Sends {@code batch} pipelined, waits for every answer (each must succeed), and applies it to {@code model}. */
    private static void run(NbdTestClient c, List<Request> batch, byte[] model) throws IOException {
        for (int i = 0; i < batch.size(); i++) {
            Request q = batch.get(i);
            c.request(q.type(), q.flags(), i, q.range()[0], (int) q.range()[1], q.data());
        }
        BitSet answered = new BitSet();
        for (int i = 0; i < batch.size(); i++) {
            NbdTestClient.Reply r = c.reply(h -> 0);
            assertThat(r.error()).as("request %d", r.handle()).isZero();
            assertThat(answered.get((int) r.handle())).as("answered once").isFalse();
            answered.set((int) r.handle());
        }
        for (Request q : batch) {
            int at = (int) q.range()[0];
            int len = (int) q.range()[1];
            if (q.data() != null) {
                System.arraycopy(q.data(), 0, model, at, len);
            } else {
                java.util.Arrays.fill(model, at, at + len, (byte) 0);
            }
        }
    }
}
