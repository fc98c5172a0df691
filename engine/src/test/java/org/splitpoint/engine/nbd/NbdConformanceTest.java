package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * The protocol's rules at the edges, over a raw socket: what must be refused (and how), the
 * default export, structured replies, metadata contexts and block status against known data,
 * and the zeroing commands (TRIM, WRITE_ZEROES with its flags, CACHE). A server that fails to
 * answer at all fails by the timeout.
 */
@Timeout(60)
class NbdConformanceTest {

    private static final int TRACK = 65536;

    @TempDir
    Path dir;
    Pool pool;
    NbdServer server;

    @BeforeEach
    void start() throws Exception {
        Pool.create(dir, 6, 4 << 20, TRACK, StorageFactory.real());
        pool = Pool.open(dir);
        pool.admin().createVolume("prod", Layout.RAID1, List.of("d1", "d2"), 0);
        pool.admin().createVolume("copy", Layout.RAID1, List.of("d3", "d4"), 0);
        pool.admin().createVolume("save", Layout.RAID1, List.of("d5", "d6"), 0);
        pool.snapshots().setSaveArea("save");
        pool.pairs().create("p1", "prod", "copy");
        pool.pairs().establish("p1", true).await(30_000);
        server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), m -> { });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        pool.close();
    }

    /** A client that negotiated structured replies (and the contexts given) and went to {@code export}. */
    private NbdTestClient structured(String export, String... contexts) throws IOException {
        NbdTestClient c = new NbdTestClient(server.port());
        assertThat(c.structured()).isEqualTo(Nbd.REP_ACK);
        if (contexts.length > 0) {
            List<NbdTestClient.OptionReply> set = c.meta(Nbd.OPT_SET_META_CONTEXT, export, contexts);
            assertThat(set).last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ACK);
        }
        assertThat(c.go(export, Nbd.OPT_GO)).last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ACK);
        return c;
    }

    private NbdTestClient simple(String export) throws IOException {
        NbdTestClient c = new NbdTestClient(server.port());
        assertThat(c.go(export, Nbd.OPT_GO)).last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ACK);
        return c;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void write(String volume, long offset, byte[] data) throws IOException {
        try {
            pool.device(volume).write(offset, ByteBuffer.wrap(data));
        } catch (org.splitpoint.engine.pool.PoolException e) {
            throw new IOException(e);
        }
    }

    private byte[] read(String device, long offset, int len) throws Exception {
        byte[] b = new byte[len];
        pool.device(device).read(offset, ByteBuffer.wrap(b));
        return b;
    }

    /** The (length, flags) pairs of a block-status chunk, and its context id first as {id, -1}. */
    private static List<long[]> extents(NbdTestClient.Chunk c) {
        assertThat(c.type()).isEqualTo(Nbd.REPLY_TYPE_BLOCK_STATUS);
        ByteBuffer b = c.data();
        List<long[]> out = new ArrayList<>();
        out.add(new long[] {b.getInt(), -1});
        while (b.hasRemaining()) {
            out.add(new long[] {b.getInt() & 0xffffffffL, b.getInt()});
        }
        return out;
    }

    /** Flags per track over [0, tracks) from consecutive block-status requests of one context. */
    private static int[] trackFlags(NbdTestClient c, int tracks) throws IOException {
        int[] out = new int[tracks];
        long pos = 0;
        long end = (long) tracks * TRACK;
        while (pos < end) {
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 1, pos, (int) (end - pos), null);
            List<NbdTestClient.Chunk> r = c.chunks();
            assertThat(r).hasSize(1);
            List<long[]> e = extents(r.get(0));
            for (long[] x : e.subList(1, e.size())) {
                assertThat(pos % TRACK).as("track-granular extents").isZero();
                for (long t = pos / TRACK; t < Math.min(end, pos + x[0]) / TRACK; t++) {
                    out[(int) t] = (int) x[1];
                }
                pos += x[0];
            }
        }
        return out;
    }

    // ---- handshake: what must be refused ----------------------------------------------------------

    @Test
    void anUnknownClientFlagMakesTheServerClose() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port(), Nbd.FLAG_C_FIXED_NEWSTYLE | 1 << 5)) {
            c.sendOption(Nbd.OPT_LIST, new byte[0]);
            assertThatThrownBy(c::readOptionReply).isInstanceOf(IOException.class);
        }
    }

    @Test
    void optListWithAPayloadIsInvalidAndHagglingGoesOn() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.sendOption(Nbd.OPT_LIST, new byte[] {1, 2, 3});
            assertThat(c.readOptionReply().type()).isEqualTo(Nbd.REP_ERR_INVALID);
            c.sendOption(Nbd.OPT_STRUCTURED_REPLY, new byte[] {0});
            assertThat(c.readOptionReply().type()).as("a payload where none belongs").isEqualTo(Nbd.REP_ERR_INVALID);
            c.sendOption(Nbd.OPT_LIST, new byte[0]);
            assertThat(c.readOptionReply().type()).isEqualTo(Nbd.REP_SERVER);
        }
    }

    @Test
    void malformedOptInfoIsInvalid() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.sendOption(Nbd.OPT_INFO, new byte[] {0, 0, 0, 0});
            assertThat(c.readOptionReply().type()).as("shorter than 6 bytes").isEqualTo(Nbd.REP_ERR_INVALID);
            c.sendOption(Nbd.OPT_INFO, ByteBuffer.allocate(10).putInt(5).put("prod".getBytes()).putShort((short) 0).array());
            assertThat(c.readOptionReply().type()).as("a name longer than the option").isEqualTo(Nbd.REP_ERR_INVALID);
            c.sendOption(Nbd.OPT_INFO, ByteBuffer.allocate(12).putInt(4).put("prod".getBytes()).putShort((short) 2)
                    .putShort((short) Nbd.INFO_NAME).array());
            assertThat(c.readOptionReply().type()).as("2 information requests, room for 1").isEqualTo(Nbd.REP_ERR_INVALID);
            c.sendOption(Nbd.OPT_INFO, ByteBuffer.allocate(12).putInt(4).put("prod".getBytes()).putShort((short) 0)
                    .putShort((short) Nbd.INFO_NAME).array());
            assertThat(c.readOptionReply().type()).as("bytes after the information requests").isEqualTo(Nbd.REP_ERR_INVALID);
            c.sendOption(Nbd.OPT_INFO, ByteBuffer.allocate(8).putInt(2).put(new byte[] {(byte) 0xc3, 0x28}).putShort((short) 0).array());
            assertThat(c.readOptionReply().type()).as("a name that is not UTF-8").isEqualTo(Nbd.REP_ERR_INVALID);
            assertThat(c.go("prod", Nbd.OPT_GO)).last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ACK);
        }
    }

    @Test
    void theDefaultExportIsTheFirstVolumeAndInfoNameNamesIt() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            List<NbdTestClient.OptionReply> info = c.go("", Nbd.OPT_GO, Nbd.INFO_NAME);
            assertThat(info).last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ACK);
            String name = info.stream().filter(r -> r.type() == Nbd.REP_INFO && ByteBuffer.wrap(r.data()).getShort() == Nbd.INFO_NAME)
                    .map(r -> new String(r.data(), 2, r.data().length - 2, StandardCharsets.UTF_8)).findFirst().orElseThrow();
            assertThat(name).isEqualTo("prod");
            assertThat(c.size).isEqualTo(4 << 20);
        }
        server.close();
        server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool, "copy"), m -> { });
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            // the old way in: NBD_OPT_EXPORT_NAME with the empty name
            c.sendOption(Nbd.OPT_EXPORT_NAME, new byte[0]);
            ByteBuffer r = c.read(10);
            assertThat(r.getLong()).isEqualTo(4 << 20);
            assertThat(r.getShort() & Nbd.TFLAG_READ_ONLY).as("the established BCV, read-only").isNotZero();
        }
    }

    @Test
    void transmissionFlagsSayWhatIsServed() throws Exception {
        try (NbdTestClient c = simple("prod")) {
            int want = Nbd.TFLAG_SEND_TRIM | Nbd.TFLAG_SEND_WRITE_ZEROES | Nbd.TFLAG_SEND_FAST_ZERO | Nbd.TFLAG_SEND_CACHE;
            assertThat(c.flags & want).isEqualTo(want);
            assertThat(c.flags & Nbd.TFLAG_SEND_DF).as("DF only with structured replies").isZero();
        }
        try (NbdTestClient c = structured("copy")) {
            assertThat(c.flags & Nbd.TFLAG_SEND_DF).isNotZero();
            assertThat(c.flags & (Nbd.TFLAG_SEND_TRIM | Nbd.TFLAG_SEND_WRITE_ZEROES)).as("read-only").isZero();
        }
    }

    // ---- transmission: what must be refused --------------------------------------------------------

    @Test
    void dfWithoutStructuredRepliesIsEinval() throws Exception {
        try (NbdTestClient c = simple("prod")) {
            c.request(Nbd.CMD_READ, Nbd.CMD_FLAG_DF, 1, 0, 4096, null);
            assertThat(c.reply(h -> 4096).error()).isEqualTo(Nbd.EINVAL);
            c.request(Nbd.CMD_READ, 0, 2, 0, 4096, null);
            assertThat(c.reply(h -> 4096).error()).as("the connection goes on").isZero();
        }
    }

    @Test
    void anUnknownOrMisplacedCommandFlagIsEinval() throws Exception {
        try (NbdTestClient c = simple("prod")) {
            c.request(Nbd.CMD_READ, 1 << 7, 1, 0, 4096, null);
            assertThat(c.reply(h -> 4096).error()).as("unknown flag").isEqualTo(Nbd.EINVAL);
            byte[] d = random(4096, 1);
            c.request(Nbd.CMD_WRITE, Nbd.CMD_FLAG_NO_HOLE, 2, 0, d.length, d);
            assertThat(c.reply(h -> 0).error()).as("NO_HOLE on a write").isEqualTo(Nbd.EINVAL);
            c.request(Nbd.CMD_TRIM, Nbd.CMD_FLAG_FAST_ZERO, 3, 0, 4096, null);
            assertThat(c.reply(h -> 0).error()).as("FAST_ZERO on a trim").isEqualTo(Nbd.EINVAL);
            c.request(Nbd.CMD_READ, Nbd.CMD_FLAG_REQ_ONE, 4, 0, 4096, null);
            assertThat(c.reply(h -> 4096).error()).as("REQ_ONE on a read").isEqualTo(Nbd.EINVAL);
            c.request(Nbd.CMD_FLUSH, 0, 5, 0, 4096, null);
            assertThat(c.reply(h -> 0).error()).as("a flush with a length").isEqualTo(Nbd.EINVAL);
            c.request(42, 0, 6, 0, 0, null);
            assertThat(c.reply(h -> 0).error()).as("an unknown command").isEqualTo(Nbd.EINVAL);
            c.request(Nbd.CMD_READ, Nbd.CMD_FLAG_FUA, 7, 0, 4096, null);
            assertThat(c.reply(h -> 4096).error()).as("FUA is valid on any command").isZero();
        }
        assertThat(read("prod", 0, 4096)).as("the refused write wrote nothing").isEqualTo(new byte[4096]);
    }

    @Test
    void blockStatusWithoutAContextIsEinval() throws Exception {
        try (NbdTestClient c = structured("prod")) {
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 1, 0, 65536, null);
            List<NbdTestClient.Chunk> r = c.chunks();
            assertThat(r).hasSize(1);
            assertThat(r.get(0).type()).isEqualTo(Nbd.REPLY_TYPE_ERROR);
            assertThat(r.get(0).error()).isEqualTo(Nbd.EINVAL);
            assertThat(r.get(0).message()).contains("metadata context");
        }
        try (NbdTestClient c = simple("prod")) {
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 1, 0, 65536, null);
            assertThat(c.reply(h -> 0).error()).as("nor without structured replies").isEqualTo(Nbd.EINVAL);
        }
    }

    /**
     * A request of 0 bytes (other than a flush) is EINVAL, as nbdkit answers every one (validate_request: the range
     * needs count > 0) and qemu-nbd a block status ("need non-zero length"); the protocol leaves them unspecified
     * and libnbd refuses to send them (LIBNBD_STRICT_ZERO_SIZE). Before, READ, WRITE, WRITE_ZEROES, TRIM and CACHE
     * of 0 bytes were answered success having done nothing. Over simple and structured replies; the connection
     * goes on, and nothing was written.
     */
    @Test
    void aRequestOfZeroBytesIsEinval() throws Exception {
        int[] commands = {Nbd.CMD_READ, Nbd.CMD_WRITE, Nbd.CMD_WRITE_ZEROES, Nbd.CMD_TRIM, Nbd.CMD_CACHE};
        byte[] before = read("prod", 0, 8192);
        try (NbdTestClient c = simple("prod")) {
            long handle = 1;
            for (int type : commands) {
                for (long offset : new long[] {0, 4096, 4 << 20}) {
                    c.request(type, 0, handle, offset, 0, type == Nbd.CMD_WRITE ? new byte[0] : null);
                    NbdTestClient.Reply r = c.reply(h -> 0);
                    assertThat(r.handle()).isEqualTo(handle++);
                    assertThat(r.error()).as("command %d of 0 bytes at %d", type, offset).isEqualTo(Nbd.EINVAL);
                }
            }
            c.request(Nbd.CMD_READ, 0, handle, 0, 4096, null);
            assertThat(c.reply(h -> 4096).error()).as("the connection goes on").isZero();
        }
        try (NbdTestClient c = structured("prod", "base:allocation")) {
            long handle = 1;
            for (int type : new int[] {Nbd.CMD_READ, Nbd.CMD_WRITE, Nbd.CMD_WRITE_ZEROES, Nbd.CMD_TRIM, Nbd.CMD_CACHE,
                    Nbd.CMD_BLOCK_STATUS}) {
                c.request(type, 0, handle, 4096, 0, type == Nbd.CMD_WRITE ? new byte[0] : null);
                List<NbdTestClient.Chunk> r = c.chunks();
                assertThat(r).as("command %d of 0 bytes", type).hasSize(1);
                assertThat(r.get(0).handle()).isEqualTo(handle++);
                assertThat(r.get(0).error()).as("command %d of 0 bytes", type).isEqualTo(Nbd.EINVAL);
                assertThat(r.get(0).message()).contains("0 bytes");
            }
            c.request(Nbd.CMD_READ, 0, handle, 0, 4096, null);
            assertThat(c.chunks()).last().extracting(NbdTestClient.Chunk::error).as("the connection goes on").isEqualTo(0);
        }
        assertThat(read("prod", 0, 8192)).isEqualTo(before);
    }

    @Test
    void trimAndZeroingOfAReadOnlyExportAreEperm() throws Exception {
        byte[] before = read("copy", 0, 65536);
        try (NbdTestClient c = simple("copy")) {
            c.request(Nbd.CMD_TRIM, 0, 1, 0, 65536, null);
            assertThat(c.reply(h -> 0).error()).isEqualTo(Nbd.EPERM);
            c.request(Nbd.CMD_WRITE_ZEROES, 0, 2, 0, 65536, null);
            assertThat(c.reply(h -> 0).error()).isEqualTo(Nbd.EPERM);
            c.request(Nbd.CMD_TRIM, 0, 3, 4 << 20, 65536, null);
            assertThat(c.reply(h -> 0).error()).as("read-only comes before the range").isEqualTo(Nbd.EPERM);
        }
        assertThat(read("copy", 0, 65536)).isEqualTo(before);
    }

    @Test
    void outOfRangeZeroingIsEnospcAndTrimEinval() throws Exception {
        try (NbdTestClient c = simple("prod")) {
            c.request(Nbd.CMD_WRITE_ZEROES, 0, 1, (4 << 20) - 4096, 8192, null);
            assertThat(c.reply(h -> 0).error()).isEqualTo(Nbd.ENOSPC);
            c.request(Nbd.CMD_TRIM, 0, 2, (4 << 20) - 4096, 8192, null);
            assertThat(c.reply(h -> 0).error()).isEqualTo(Nbd.EINVAL);
        }
    }

    // ---- structured replies ---------------------------------------------------------------------------

    @Test
    void aStructuredReadSendsZeroRunsAsHolesUnlessDontFragment() throws Exception {
        byte[] a = random(65536, 2);
        byte[] b = random(65536, 3);
        write("prod", 0, a);
        write("prod", 65536 + 256 * 1024, b); // 256 KiB of zeros between
        int len = 2 * 65536 + 256 * 1024;
        try (NbdTestClient c = structured("prod")) {
            c.request(Nbd.CMD_READ, 0, 1, 0, len, null);
            List<NbdTestClient.Chunk> r = c.chunks();
            assertThat(r).extracting(NbdTestClient.Chunk::type).containsExactly(Nbd.REPLY_TYPE_OFFSET_DATA,
                    Nbd.REPLY_TYPE_OFFSET_HOLE, Nbd.REPLY_TYPE_OFFSET_DATA, Nbd.REPLY_TYPE_NONE);
            byte[] got = new byte[len];
            for (NbdTestClient.Chunk ch : r) {
                ByteBuffer d = ch.data();
                if (ch.type() == Nbd.REPLY_TYPE_OFFSET_DATA) {
                    int off = (int) d.getLong();
                    d.get(got, off, d.remaining());
                } else if (ch.type() == Nbd.REPLY_TYPE_OFFSET_HOLE) {
                    assertThat(d.getLong()).isEqualTo(65536);
                    assertThat(d.getInt()).isEqualTo(256 * 1024);
                }
            }
            assertThat(Arrays.copyOfRange(got, 0, 65536)).isEqualTo(a);
            assertThat(Arrays.copyOfRange(got, len - 65536, len)).isEqualTo(b);

            c.request(Nbd.CMD_READ, Nbd.CMD_FLAG_DF, 2, 0, len, null);
            r = c.chunks();
            assertThat(r).extracting(NbdTestClient.Chunk::type).containsExactly(Nbd.REPLY_TYPE_OFFSET_DATA, Nbd.REPLY_TYPE_NONE);
            ByteBuffer d = r.get(0).data();
            assertThat(d.getLong()).isZero();
            assertThat(d.remaining()).as("one chunk, zeros included").isEqualTo(len);
        }
    }

    @Test
    void errorsAreChunksWithAMessageAndAnOffset() throws Exception {
        BlockDevice failing = new BlockDevice() {
            @Override
            public long size() {
                return 1 << 20;
            }

            @Override
            public void read(long offset, ByteBuffer dst) throws IOException {
                throw new IOException("drive d9 failed on read: injected");
            }

            @Override
            public void write(long offset, ByteBuffer src) {
            }

            @Override
            public void flush() {
            }
        };
        ExportCatalog one = new ExportCatalog() {
            @Override
            public List<Export> list() {
                return List.of(find("bad"));
            }

            @Override
            public Export find(String name) {
                return name.equals("bad") ? new Export("bad", failing, false, "always fails") : null;
            }
        };
        try (NbdServer s = NbdServer.tcp("127.0.0.1", 0, one, m -> { });
             NbdTestClient c = new NbdTestClient(s.port())) {
            assertThat(c.structured()).isEqualTo(Nbd.REP_ACK);
            c.go("bad", Nbd.OPT_GO);
            c.request(Nbd.CMD_READ, 0, 1, 4096, 4096, null);
            List<NbdTestClient.Chunk> r = c.chunks();
            assertThat(r).hasSize(1);
            assertThat(r.get(0).type()).isEqualTo(Nbd.REPLY_TYPE_ERROR_OFFSET);
            assertThat(r.get(0).error()).isEqualTo(Nbd.EIO);
            assertThat(r.get(0).message()).contains("drive d9 failed");
            ByteBuffer p = r.get(0).data();
            p.position(6 + (p.getShort(4) & 0xffff));
            assertThat(p.getLong()).isEqualTo(4096);
            c.request(Nbd.CMD_READ, 0, 2, 1 << 20, 1, null);
            r = c.chunks();
            assertThat(r.get(0).type()).isEqualTo(Nbd.REPLY_TYPE_ERROR);
            assertThat(r.get(0).error()).isEqualTo(Nbd.EINVAL);
            assertThat(r.get(0).message()).contains("outside the export");
        }
    }

    // ---- metadata contexts ------------------------------------------------------------------------------

    @Test
    void metaContextsAreListedByQueryAndSelectedByName() throws Exception {
        pool.pairs().split(List.of("p1"));
        pool.snapshots().create("prod", "s1");
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            List<String> all = names(c.meta(Nbd.OPT_LIST_META_CONTEXT, "prod"));
            assertThat(all).containsExactlyInAnyOrder("base:allocation", "splitpoint:changed-since:s1", "splitpoint:invalid");
            assertThat(names(c.meta(Nbd.OPT_LIST_META_CONTEXT, "prod", "base:"))).containsExactly("base:allocation");
            assertThat(names(c.meta(Nbd.OPT_LIST_META_CONTEXT, "prod", "splitpoint:")))
                    .containsExactlyInAnyOrder("splitpoint:changed-since:s1", "splitpoint:invalid");
            assertThat(names(c.meta(Nbd.OPT_LIST_META_CONTEXT, "prod", "splitpoint:changed-since:")))
                    .containsExactly("splitpoint:changed-since:s1");
            assertThat(names(c.meta(Nbd.OPT_LIST_META_CONTEXT, "", "qemu:dirty-bitmap:x", "base:nothing")))
                    .as("unknown namespaces and leaves are ignored").isEmpty();
            assertThat(c.meta(Nbd.OPT_LIST_META_CONTEXT, "prod", "nocolon")).last()
                    .extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ERR_INVALID);
            assertThat(c.meta(Nbd.OPT_LIST_META_CONTEXT, "nope")).last()
                    .extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ERR_UNKNOWN);
            assertThat(c.meta(Nbd.OPT_SET_META_CONTEXT, "prod", "base:allocation")).as("SET needs structured replies")
                    .last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ERR_INVALID);
            assertThat(c.structured()).isEqualTo(Nbd.REP_ACK);
            assertThat(c.structured()).as("twice").isEqualTo(Nbd.REP_ERR_INVALID);
            assertThat(names(c.meta(Nbd.OPT_SET_META_CONTEXT, "prod", "base:", "splitpoint:"))).as("wildcards select nothing").isEmpty();
            List<NbdTestClient.OptionReply> set = c.meta(Nbd.OPT_SET_META_CONTEXT, "prod", "base:allocation",
                    "x-other:thing", "splitpoint:invalid", "base:allocation");
            assertThat(names(set)).containsExactly("base:allocation", "splitpoint:invalid");
            assertThat(set.subList(0, 2)).extracting(NbdTestClient::contextId).doesNotHaveDuplicates();
            // selected for "copy", then GO to "prod": the selection does not carry over
            assertThat(names(c.meta(Nbd.OPT_SET_META_CONTEXT, "copy", "base:allocation"))).hasSize(1);
            c.go("prod", Nbd.OPT_GO);
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 1, 0, 65536, null);
            assertThat(c.chunks().get(0).error()).isEqualTo(Nbd.EINVAL);
        }
    }

    private static List<String> names(List<NbdTestClient.OptionReply> replies) {
        assertThat(replies).last().extracting(NbdTestClient.OptionReply::type).isEqualTo(Nbd.REP_ACK);
        return replies.stream().filter(r -> r.type() == Nbd.REP_META_CONTEXT).map(NbdTestClient::contextName).toList();
    }

    @Test
    void baseAllocationReportsZerosAndDataAsWritten() throws Exception {
        write("prod", 65536, random(65536, 4));
        write("prod", 3 * 65536 + 4096, random(100, 5)); // one granule of data inside a zero track
        try (NbdTestClient c = structured("prod", "base:allocation")) {
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 1, 0, 4 * 65536, null);
            List<NbdTestClient.Chunk> r = c.chunks();
            assertThat(r).hasSize(1);
            assertThat(r.get(0).done()).isTrue();
            List<long[]> e = extents(r.get(0));
            assertThat(e.subList(1, e.size())).containsExactly(new long[] {65536, Nbd.STATE_ZERO}, new long[] {65536, 0},
                    new long[] {65536 + 4096, Nbd.STATE_ZERO}, new long[] {4096, 0}, new long[] {65536 - 8192, Nbd.STATE_ZERO});
            c.request(Nbd.CMD_BLOCK_STATUS, Nbd.CMD_FLAG_REQ_ONE, 2, 4096, 8192, null);
            e = extents(c.chunks().get(0));
            assertThat(e).hasSize(2);
            assertThat(e.get(1)).as("one extent, no longer than asked").containsExactly(8192, Nbd.STATE_ZERO);
            // a block (1 MiB) that starts with data is data, unread: a copy does not read it twice
            write("prod", 1 << 20, new byte[] {1});
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 4, 1 << 20, 2 << 20, null);
            e = extents(c.chunks().get(0));
            assertThat(e.subList(1, e.size())).containsExactly(new long[] {1 << 20, 0}, new long[] {1 << 20, Nbd.STATE_ZERO});
            // the whole volume: the reply covers a prefix (a bounded read), never more than asked
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 3, 0, 4 << 20, null);
            e = extents(c.chunks().get(0));
            long covered = e.subList(1, e.size()).stream().mapToLong(x -> x[0]).sum();
            assertThat(covered).isPositive().isLessThanOrEqualTo(4 << 20);
        }
    }

    @Test
    void changedSinceASnapshotAreExactlyTheTracksWrittenOrZeroedSince() throws Exception {
        pool.pairs().split(List.of("p1"));
        write("prod", 0, random(64 * 65536, 6)); // every track has data before the snapshot
        pool.snapshots().create("prod", "s1");
        write("prod", 3 * 65536 + 10, random(10, 7));
        write("prod", 7 * 65536, random(3 * 65536, 8));
        pool.device("prod").writeZeroes(20 * 65536, 65536, true);
        pool.device("prod").writeZeroes(40 * 65536, (4 << 20) - 40 * 65536, true); // to the end, punched
        try (NbdTestClient c = structured("prod", "splitpoint:changed-since:s1")) {
            int[] flags = trackFlags(c, 64);
            List<Integer> changed = new ArrayList<>();
            for (int t = 0; t < flags.length; t++) {
                if (flags[t] == 1) {
                    changed.add(t);
                }
            }
            List<Integer> want = new ArrayList<>(List.of(3, 7, 8, 9, 20));
            for (int t = 40; t < 64; t++) {
                want.add(t);
            }
            assertThat(changed).isEqualTo(want);
        }
        byte[] before = random(64 * 65536, 6);
        assertThat(read("prod@s1", 20 * 65536, 65536)).as("the snapshot still reads the zeroed track's old bytes")
                .isEqualTo(Arrays.copyOfRange(before, 20 * 65536, 21 * 65536));
        assertThat(read("prod@s1", 40 * 65536, 24 * 65536)).isEqualTo(Arrays.copyOfRange(before, 40 * 65536, 64 * 65536));
        assertThat(read("prod", 40 * 65536, 24 * 65536)).isEqualTo(new byte[24 * 65536]);
    }

    @Test
    void aSplitPairsInvalidTracksIncludeWrittenAndZeroedOnes() throws Exception {
        pool.pairs().split(List.of("p1"));
        write("prod", 65536, random(2 * 65536, 9));
        write("copy", 5 * 65536 + 100, random(100, 10));
        try (NbdTestClient c = simple("prod")) {
            c.request(Nbd.CMD_WRITE_ZEROES, 0, 1, 10 * 65536, 65536, null);
            assertThat(c.reply(h -> 0).error()).isZero();
            c.request(Nbd.CMD_TRIM, 0, 2, 30 * 65536 + 1, 3, null);
            assertThat(c.reply(h -> 0).error()).isZero();
        }
        for (String side : List.of("prod", "copy")) {
            try (NbdTestClient c = structured(side, "splitpoint:invalid")) {
                int[] flags = trackFlags(c, 64);
                int[] want = new int[64];
                want[1] = 1;
                want[2] = 1;
                want[10] = 1;
                want[30] = 1;
                want[5] = 2;
                assertThat(flags).as("seen from %s", side).isEqualTo(want);
            }
        }
        assertThat(pool.pairs().get("p1").stdInvalidTracks()).isEqualTo(4);
    }

    /**
     * A connection selects splitpoint:invalid for the pair of its volume; the pair is deleted (the
     * volume stays writable, so the connection is not retired). Its block status went on answering,
     * with success, from the deleted pair's bitmaps, frozen: a track written since was reported
     * unchanged, and a tool copying only what changed would have left it out.
     */
    @Test
    void aDeletedPairsInvalidTracksAreNotReportedAsIfItStillTrackedChanges() throws Exception {
        pool.pairs().split(List.of("p1"));
        write("prod", 65536, random(100, 11));
        try (NbdTestClient c = structured("prod", "splitpoint:invalid")) {
            assertThat(trackFlags(c, 64)[1]).isEqualTo(1);
            pool.pairs().delete("p1", false);
            write("prod", 7 * 65536, random(100, 12)); // a change no pair tracks any more
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 2, 0, 64 * TRACK, null);
            List<NbdTestClient.Chunk> r = c.chunks();
            assertThat(r).hasSize(1);
            assertThat(r.get(0).error()).as("no answer from a pair that is gone").isEqualTo(Nbd.EIO);
            assertThat(r.get(0).message()).contains("pair p1 was deleted");
        }
    }

    /**
     * A connection selects changed-since:s1; s1 is deleted and a new s1 taken. Its block status
     * answered from the new snapshot, with success: the tracks changed between the two were
     * reported unchanged to a client that asked what changed since the first.
     */
    @Test
    void aSnapshotTakenAgainUnderTheSameNameIsNotTheOneTheContextWasSelectedFor() throws Exception {
        pool.pairs().split(List.of("p1"));
        pool.snapshots().create("prod", "s1");
        write("prod", 3 * 65536, random(100, 13)); // changed since the s1 selected
        try (NbdTestClient c = structured("prod", "splitpoint:changed-since:s1")) {
            assertThat(trackFlags(c, 64)[3]).isEqualTo(1);
            pool.snapshots().delete("prod", "s1");
            pool.snapshots().create("prod", "s1");
            c.request(Nbd.CMD_BLOCK_STATUS, 0, 2, 0, 64 * TRACK, null);
            List<NbdTestClient.Chunk> r = c.chunks();
            assertThat(r).hasSize(1);
            assertThat(r.get(0).error()).as("not the changes since another snapshot").isEqualTo(Nbd.EIO);
            assertThat(r.get(0).message()).contains("prod@s1", "was deleted");
        }
    }

    // ---- zeroing, trim, cache ------------------------------------------------------------------------------

    @Test
    void zeroingAndTrimReadBackAsZerosAndReachAnEstablishedBcv() throws Exception {
        byte[] data = random(2 << 20, 11);
        write("prod", 0, data);
        try (NbdTestClient c = simple("prod")) {
            c.request(Nbd.CMD_TRIM, Nbd.CMD_FLAG_FUA, 1, 100, 1 << 20, null); // unaligned, large: punched in the middle
            assertThat(c.reply(h -> 0).error()).isZero();
            c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_NO_HOLE, 2, (1 << 20) + 5000, 3000, null);
            assertThat(c.reply(h -> 0).error()).isZero();
            c.request(Nbd.CMD_CACHE, 0, 3, 0, 2 << 20, null);
            assertThat(c.reply(h -> 0).error()).isZero();
        }
        byte[] want = data.clone();
        Arrays.fill(want, 100, 100 + (1 << 20), (byte) 0);
        Arrays.fill(want, (1 << 20) + 5000, (1 << 20) + 8000, (byte) 0);
        assertThat(read("prod", 0, 2 << 20)).isEqualTo(want);
        assertThat(read("copy", 0, 2 << 20)).as("mirrored to the synchronized BCV").isEqualTo(want);
        assertThat(pool.admin().verify("prod", false, null)).isZero();
    }

    /**
     * NO_HOLE: "the area MUST be fully provisioned" (the protocol), so later writes there cannot
     * fail for space. A zeroing too small to be given to fallocate, or the unaligned ends of a large
     * one, was read and left alone where it read as zeros: over a hole of the fresh volume's sparse
     * images nothing was allocated at all.
     */
    @Test
    void noHoleZeroingProvisionsTheRangeOnEveryMemberEvenWhereItWasAHole() throws Exception {
        long[] before = {blocks("d1"), blocks("d2")};
        try (NbdTestClient c = simple("prod")) {
            c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_NO_HOLE, 1, (1 << 20) + 5000, 70_000, null);
            assertThat(c.reply(h -> 0).error()).isZero();
            c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_FUA, 2, (2 << 20) + 100, (1 << 20) + 300, null);
            assertThat(c.reply(h -> 0).error()).isZero();
        }
        if (List.of("ext4", "xfs", "btrfs").contains(java.nio.file.Files.getFileStore(dir).type())) {
            try (NbdTestClient c = simple("prod")) { // these zero a range in place (ZERO_RANGE): fast with NO_HOLE too
                c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_FAST_ZERO, 3, 0, 1 << 20, null);
                assertThat(c.reply(h -> 0).error()).isZero();
            }
        }
        long want = (70_000 - 2 * 4096 + (1 << 20)) / 512; // both ranges less a page at each end
        for (int i = 0; i < 2; i++) {
            assertThat(blocks("d" + (i + 1)) - before[i]).as("blocks allocated on d%d", i + 1).isGreaterThanOrEqualTo(want);
        }
        assertThat(read("prod", 1 << 20, 3 << 20)).isEqualTo(new byte[3 << 20]);
    }

    /** 512-byte blocks allocated to drive {@code name}'s image (stat(1): Java 17 has no attribute for it). */
    private long blocks(String name) throws Exception {
        pool.device("prod").flush();
        Process p = new ProcessBuilder("stat", "-c", "%b", dir.resolve("drives/" + name + ".img").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as(out).isZero();
        return Long.parseLong(out);
    }

    @Test
    void fastZeroIsRefusedWhenZeroingWouldWriteAndDoneWhenItCanDeallocate() throws Exception {
        byte[] data = random(2 << 20, 12);
        write("prod", 0, data);
        try (NbdTestClient c = simple("prod")) {
            c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_FAST_ZERO, 1, 0, 65536, null);
            assertThat(c.reply(h -> 0).error()).as("too small to deallocate").isEqualTo(Nbd.ENOTSUP);
            assertThat(read("prod", 0, 65536)).as("a refused fast zero changes nothing").isEqualTo(Arrays.copyOf(data, 65536));
            c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_FAST_ZERO, 2, 0, 2 << 20, null);
            assertThat(c.reply(h -> 0).error()).isZero();
        }
        assertThat(read("prod", 0, 2 << 20)).isEqualTo(new byte[2 << 20]);
        pool.pairs().split(List.of("p1"));
        org.splitpoint.engine.job.Job restore = pool.pairs().restore("p1", true, false, 64 * 1024);
        try (NbdTestClient c = simple("prod")) {
            assertThat(pool.pairs().get("p1").state()).isEqualTo(org.splitpoint.engine.pair.PairState.RestInProg);
            c.request(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_FAST_ZERO, 3, 0, 2 << 20, null);
            assertThat(c.reply(h -> 0).error()).as("a restore merges tracks: not fast").isEqualTo(Nbd.ENOTSUP);
        } finally {
            restore.setThrottle(0);
            assertThat(restore.await(30_000)).isTrue();
        }
    }
}
