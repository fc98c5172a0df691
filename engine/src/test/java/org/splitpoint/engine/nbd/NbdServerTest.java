package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/** The NBD server against a client of our own: handshake, commands, errors, pipelining. */
class NbdServerTest {

    @TempDir
    Path dir;
    Pool pool;
    NbdServer server;

    @BeforeEach
    void start() throws Exception {
        Pool.create(dir, 4, 4 << 20, 65536, StorageFactory.real());
        pool = Pool.open(dir);
        pool.admin().createVolume("prod", Layout.RAID1, List.of("d1", "d2"), 0);
        pool.admin().createVolume("copy", Layout.RAID1, List.of("d3", "d4"), 0);
        pool.pairs().create("p1", "prod", "copy");
        pool.pairs().establish("p1", true).await(30_000);
        server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), m -> { });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        pool.close();
    }

    @Test
    void listsTheVolumesAndRefusesUnknownExports() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.sendOption(Nbd.OPT_LIST, new byte[0]);
            List<String> names = new java.util.ArrayList<>();
            while (true) {
                NbdTestClient.OptionReply r = c.readOptionReply();
                if (r.type() == Nbd.REP_ACK) {
                    break;
                }
                ByteBuffer d = ByteBuffer.wrap(r.data());
                byte[] n = new byte[d.getInt()];
                d.get(n);
                names.add(new String(n, StandardCharsets.UTF_8));
            }
            assertThat(names).containsExactly("prod", "copy");
            List<NbdTestClient.OptionReply> info = c.go("nope", Nbd.OPT_INFO);
            assertThat(info).last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ERR_UNKNOWN);
            c.sendOption(99, new byte[0]);
            assertThat(c.readOptionReply().type()).isEqualTo(Nbd.REP_ERR_UNSUP);
            List<NbdTestClient.OptionReply> go = c.go("prod", Nbd.OPT_GO);
            assertThat(go).last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ACK);
            assertThat(c.size).isEqualTo(4 << 20);
            assertThat(c.flags & Nbd.TFLAG_READ_ONLY).isZero();
            assertThat(c.flags & Nbd.TFLAG_SEND_FLUSH).isNotZero();
        }
    }

    @Test
    void writesReadsFlushAndPipelinedRequests() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("prod", Nbd.OPT_GO);
            Random rnd = new Random(1);
            Map<Long, byte[]> written = new HashMap<>();
            // 48 writes in flight before any reply is read; replies may come in any order
            for (long h = 1; h <= 48; h++) {
                byte[] d = new byte[65536];
                rnd.nextBytes(d);
                written.put(h, d);
                c.request(Nbd.CMD_WRITE, h % 7 == 0 ? Nbd.CMD_FLAG_FUA : 0, h, (h - 1) * 65536, d.length, d);
            }
            java.util.Set<Long> acked = new java.util.HashSet<>();
            for (int i = 0; i < 48; i++) {
                NbdTestClient.Reply r = c.reply(h -> 0);
                assertThat(r.error()).isZero();
                acked.add(r.handle());
            }
            assertThat(acked).hasSize(48);
            c.request(Nbd.CMD_FLUSH, 0, 100, 0, 0, null);
            assertThat(c.reply(h -> 0).error()).isZero();
            for (long h = 1; h <= 48; h++) {
                c.request(Nbd.CMD_READ, 0, 1000 + h, (h - 1) * 65536, 65536, null);
            }
            for (int i = 0; i < 48; i++) {
                NbdTestClient.Reply r = c.reply(h -> 65536);
                assertThat(r.error()).isZero();
                assertThat(r.data()).isEqualTo(written.get(r.handle() - 1000));
            }
            c.request(Nbd.CMD_READ, 0, 7, (4 << 20) - 10, 20, null);
            assertThat(c.reply(h -> 20).error()).as("read past the end").isEqualTo(Nbd.EINVAL);
            c.request(Nbd.CMD_WRITE_ZEROES, 0, 8, 0, 4096, null);
            assertThat(c.reply(h -> 0).error()).isZero();
            c.request(Nbd.CMD_READ, 0, 9, 0, 4096, null);
            assertThat(c.reply(h -> 4096).data()).isEqualTo(new byte[4096]);
            c.request(Nbd.CMD_DISC, 0, 10, 0, 0, null);
        }
        // the mirror got every write (the pair is Synchronized)
        byte[] b = new byte[65536];
        pool.device("copy").read(65536, ByteBuffer.wrap(b));
        byte[] s = new byte[65536];
        pool.device("prod").read(65536, ByteBuffer.wrap(s));
        assertThat(b).isEqualTo(s);
    }

    @Test
    void anEstablishedBcvIsReadOnlyAndASplitOneWritable() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("copy", Nbd.OPT_GO);
            assertThat(c.flags & Nbd.TFLAG_READ_ONLY).isNotZero();
            c.request(Nbd.CMD_WRITE, 0, 1, 0, 512, new byte[512]);
            assertThat(c.reply(h -> 0).error()).as("write to a read-only export").isEqualTo(Nbd.EPERM);
            c.request(Nbd.CMD_READ, 0, 2, 0, 512, null);
            assertThat(c.reply(h -> 512).error()).as("the connection is still usable").isZero();
        }
        pool.pairs().split(List.of("p1"));
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("copy", Nbd.OPT_GO);
            assertThat(c.flags & Nbd.TFLAG_READ_ONLY).isZero();
            byte[] d = "independent".getBytes(StandardCharsets.UTF_8);
            c.request(Nbd.CMD_WRITE, Nbd.CMD_FLAG_FUA, 1, 0, d.length, d);
            assertThat(c.reply(h -> 0).error()).isZero();
        }
        assertThat(pool.pairs().get("p1").bcvInvalidTracks()).isEqualTo(1);
    }

    @Test
    void aClientThatDisconnectsMidStreamLosesNothingAcknowledged() throws Exception {
        byte[] d = new byte[65536];
        new Random(3).nextBytes(d);
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("prod", Nbd.OPT_GO);
            c.request(Nbd.CMD_WRITE, 0, 1, 0, d.length, d);
            assertThat(c.reply(h -> 0).error()).isZero();
            c.request(Nbd.CMD_FLUSH, 0, 2, 0, 0, null);
            assertThat(c.reply(h -> 0).error()).isZero();
            // a half-sent write, then the client vanishes
            c.write(ByteBuffer.allocate(28 + 1000).putInt(Nbd.REQUEST_MAGIC).putShort((short) 0)
                    .putShort((short) Nbd.CMD_WRITE).putLong(3).putLong(65536).putInt(65536).flip());
        }
        Thread.sleep(200);
        byte[] got = new byte[65536];
        pool.device("prod").read(0, ByteBuffer.wrap(got));
        assertThat(got).isEqualTo(d);
        assertThat(server.clients()).isEmpty();
    }
}
