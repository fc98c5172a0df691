package org.splitpoint.engine.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed-newstyle handshake of one connection: greeting, client flags, then option haggling
 * until the client picks an export (NBD_OPT_GO or NBD_OPT_EXPORT_NAME) or leaves.
 *
 * <p>Design. Options are answered one at a time, in order, on the connection's own thread; what
 * they negotiate (structured replies, the selected metadata contexts and the export they were
 * selected for) is kept here and handed to the transmission phase as a {@link Session}. Every
 * option's payload is checked against its layout before it is acted on: a malformed one is
 * answered NBD_REP_ERR_INVALID and haggling goes on (the protocol's rule for options the server
 * knows), an unknown option NBD_REP_ERR_UNSUP. Only what the protocol says must end the session
 * does: an unknown client flag, a bad option magic, NBD_OPT_ABORT, an export NBD_OPT_EXPORT_NAME
 * cannot find (it has no error reply), or more options than a client needs (a loop). Before an
 * export chosen by GO or EXPORT_NAME is looked up and answered, the connection's {@link Pace} may
 * make the handshake wait (a client storming a read-only export, {@link ReconnectBackoff}); INFO,
 * LIST and the rest are never slowed.
 */
final class Negotiation {

    /** What the transmission phase works with. */
    record Session(Export export, boolean structured, List<MetaContexts.Selected> contexts, int flags) { }

    /**
     * Options accepted before the server gives up on a client that never picks an export: enough
     * for {@code nbdinfo --list} (an INFO and a LIST_META_CONTEXT per export) of a pool with
     * hundreds of snapshots, few enough to end a client that loops.
     */
    private static final int MAX_OPTIONS = 4096;
    /** Longest option payload read (the protocol's strings are at most 4 KiB; queries add up). */
    private static final int MAX_OPTION = 1 << 20;
    /** Longest string (name, query) the protocol allows. */
    private static final int MAX_STRING = 4096;

    /** What may make a handshake wait before the export it chose is answered ({@link ReconnectBackoff}). */
    interface Pace {
        void beforeAnswering(String exportName);
    }

    private final ByteChannel ch;
    private final ExportCatalog catalog;
    private final Pace pace;
    private boolean noZeroes;
    private boolean structured;
    private List<MetaContexts.Selected> selected = List.of();
    /** The canonical name of the export the selection was made for (null: none made). */
    private String selectedFor;

    Negotiation(ByteChannel ch, ExportCatalog catalog, Pace pace) {
        this.ch = ch;
        this.catalog = catalog;
        this.pace = pace;
    }

    /** The transmission flags of {@code e} for a connection that did (or did not) negotiate structured replies. */
    static int flags(Export e, boolean structured) {
        int f = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_SEND_FLUSH | Nbd.TFLAG_SEND_FUA | Nbd.TFLAG_CAN_MULTI_CONN
                | Nbd.TFLAG_SEND_CACHE;
        if (structured) {
            f |= Nbd.TFLAG_SEND_DF; // only then: DF is about the chunks of a structured read
        }
        return e.readOnly() ? f | Nbd.TFLAG_READ_ONLY
                : f | Nbd.TFLAG_SEND_TRIM | Nbd.TFLAG_SEND_WRITE_ZEROES | Nbd.TFLAG_SEND_FAST_ZERO;
    }

    /** Runs the handshake; returns the session to serve, or null when the connection is to be closed. */
    Session run() throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(18);
        hello.putLong(Nbd.INIT_MAGIC).putLong(Nbd.OPT_MAGIC).putShort((short) (Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES));
        write(hello.flip());
        int clientFlags = read(4).getInt();
        if ((clientFlags & ~(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)) != 0) {
            return null; // "the server MUST drop the TCP connection if the client sets an unknown flag"
        }
        noZeroes = (clientFlags & Nbd.FLAG_C_NO_ZEROES) != 0;
        for (int n = 0; n < MAX_OPTIONS; n++) {
            ByteBuffer h = read(16);
            if (h.getLong() != Nbd.OPT_MAGIC) {
                throw new IOException("bad option magic");
            }
            int opt = h.getInt();
            int len = h.getInt();
            if (len < 0 || len > MAX_OPTION) {
                throw new IOException("option of " + Integer.toUnsignedString(len) + " bytes refused");
            }
            ByteBuffer data = read(len);
            switch (opt) {
                case Nbd.OPT_EXPORT_NAME -> {
                    return exportName(data);
                }
                case Nbd.OPT_ABORT -> {
                    reply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
                    return null;
                }
                case Nbd.OPT_LIST -> list(opt, len);
                case Nbd.OPT_INFO, Nbd.OPT_GO -> {
                    Session s = infoOrGo(opt, data);
                    if (s != null) {
                        return s;
                    }
                }
                case Nbd.OPT_STRUCTURED_REPLY -> structuredReply(opt, len);
                case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> metaContext(opt, data);
                default -> error(opt, Nbd.REP_ERR_UNSUP, "option " + opt + " is not supported");
            }
        }
        return null; // a client that loops over options without ever choosing an export
    }

    private Session exportName(ByteBuffer data) throws IOException {
        String name = string(data, data.remaining());
        if (name != null) {
            pace.beforeAnswering(name);
        }
        Export e = name == null ? null : catalog.find(name);
        if (e == null) {
            return null; // the protocol's only answer: close
        }
        int flags = flags(e, structured);
        ByteBuffer r = ByteBuffer.allocate(noZeroes ? 10 : 134);
        r.putLong(e.device().size()).putShort((short) flags);
        write(r.position(0));
        return session(e, flags);
    }

    private Session session(Export e, int flags) {
        // contexts selected for another export are not usable on this one (the protocol's rule)
        List<MetaContexts.Selected> contexts = e.name().equals(selectedFor) ? selected : List.of();
        return new Session(e, structured, contexts, flags);
    }

    private void list(int opt, int len) throws IOException {
        if (len != 0) {
            error(opt, Nbd.REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return;
        }
        for (Export e : catalog.list()) {
            byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
            byte[] d = e.description().getBytes(StandardCharsets.UTF_8);
            reply(opt, Nbd.REP_SERVER, ByteBuffer.allocate(4 + n.length + d.length).putInt(n.length).put(n).put(d).flip());
        }
        reply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
    }

    private void structuredReply(int opt, int len) throws IOException {
        if (len != 0) {
            error(opt, Nbd.REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
        } else if (structured) {
            error(opt, Nbd.REP_ERR_INVALID, "structured replies are already negotiated");
        } else {
            structured = true;
            reply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
        }
    }

    /** NBD_OPT_INFO / NBD_OPT_GO; returns the session when GO moved to transmission, else null. */
    private Session infoOrGo(int opt, ByteBuffer data) throws IOException {
        int len = data.remaining();
        if (len < 6) {
            error(opt, Nbd.REP_ERR_INVALID, "malformed request: " + len + " bytes, at least 6 expected");
            return null;
        }
        long nameLen = data.getInt() & 0xffffffffL;
        if (nameLen > len - 6) {
            error(opt, Nbd.REP_ERR_INVALID, "malformed request: the export name is longer than the option");
            return null;
        }
        String name = string(data, (int) nameLen);
        int infos = data.getShort() & 0xffff;
        if (len != 4 + nameLen + 2 + 2L * infos) {
            error(opt, Nbd.REP_ERR_INVALID, "malformed request: " + infos + " information requests do not fill the "
                    + (len - 6 - nameLen) + " bytes after the name");
            return null;
        }
        if (name == null) {
            error(opt, Nbd.REP_ERR_INVALID, "the export name is not valid UTF-8 or is longer than 4096 bytes");
            return null;
        }
        boolean wantName = false;
        for (int i = 0; i < infos; i++) {
            wantName |= data.getShort() == Nbd.INFO_NAME; // the others are sent anyway or unknown (ignored)
        }
        if (opt == Nbd.OPT_GO) {
            pace.beforeAnswering(name); // the export as it is after any wait is the one answered
        }
        Export e = catalog.find(name);
        if (e == null) {
            error(opt, Nbd.REP_ERR_UNKNOWN, name.isEmpty() ? "there is no default export (the pool has no volume to serve)"
                    : "no export named '" + name + "' (see the list)");
            return null;
        }
        int flags = flags(e, structured);
        ByteBuffer info = ByteBuffer.allocate(12);
        info.putShort((short) Nbd.INFO_EXPORT).putLong(e.device().size()).putShort((short) flags);
        reply(opt, Nbd.REP_INFO, info.flip());
        if (wantName) {
            byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
            reply(opt, Nbd.REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) Nbd.INFO_NAME).put(n).flip());
        }
        ByteBuffer bs = ByteBuffer.allocate(14);
        bs.putShort((short) Nbd.INFO_BLOCK_SIZE).putInt(1).putInt(4096).putInt(Nbd.MAX_REQUEST);
        reply(opt, Nbd.REP_INFO, bs.flip());
        byte[] d = e.description().getBytes(StandardCharsets.UTF_8);
        reply(opt, Nbd.REP_INFO, ByteBuffer.allocate(2 + d.length).putShort((short) Nbd.INFO_DESCRIPTION).put(d).flip());
        reply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
        return opt == Nbd.OPT_GO ? session(e, flags) : null;
    }

    /** NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT (see {@link MetaContexts}). */
    private void metaContext(int opt, ByteBuffer data) throws IOException {
        boolean set = opt == Nbd.OPT_SET_META_CONTEXT;
        if (set) {
            selected = List.of(); // a SET replaces the selection, also when it fails
            selectedFor = null;
            if (!structured) {
                error(opt, Nbd.REP_ERR_INVALID, "negotiate structured replies before selecting metadata contexts");
                return;
            }
        }
        int len = data.remaining();
        if (len < 8) {
            error(opt, Nbd.REP_ERR_INVALID, "malformed request: " + len + " bytes, at least 8 expected");
            return;
        }
        long nameLen = data.getInt() & 0xffffffffL;
        if (nameLen > len - 8) {
            error(opt, Nbd.REP_ERR_INVALID, "malformed request: the export name is longer than the option");
            return;
        }
        String name = string(data, (int) nameLen);
        long count = data.getInt() & 0xffffffffL;
        if (count * 4 > data.remaining()) {
            error(opt, Nbd.REP_ERR_INVALID, "malformed request: " + count + " queries do not fit in the option");
            return;
        }
        List<String> queries = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            long qLen = data.remaining() >= 4 ? data.getInt() & 0xffffffffL : -1;
            if (qLen < 0 || qLen > data.remaining()) {
                error(opt, Nbd.REP_ERR_INVALID, "malformed request: query " + (i + 1) + " runs past the option");
                return;
            }
            String q = string(data, (int) qLen);
            if (q == null || !MetaContexts.wellFormed(q)) {
                error(opt, Nbd.REP_ERR_INVALID, "query " + (i + 1) + " must be UTF-8 text starting with a namespace and a colon");
                return;
            }
            queries.add(q);
        }
        if (data.hasRemaining() || name == null) {
            error(opt, Nbd.REP_ERR_INVALID, "malformed request: " + (name == null ? "the export name is not valid UTF-8"
                    : data.remaining() + " bytes after the last query"));
            return;
        }
        Export e = catalog.find(name);
        if (e == null) {
            error(opt, Nbd.REP_ERR_UNKNOWN, name.isEmpty() ? "there is no default export (the pool has no volume to serve)"
                    : "no export named '" + name + "' (see the list)");
            return;
        }
        if (!set) {
            for (String n : MetaContexts.list(e, queries)) {
                reply(opt, Nbd.REP_META_CONTEXT, metaContextReply(0, n)); // the id of a listed context is reserved: 0
            }
            reply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
            return;
        }
        List<MetaContexts.Selected> chosen = MetaContexts.select(e, queries);
        if (chosen.size() > MetaContexts.MAX_SELECTED) {
            error(opt, Nbd.REP_ERR_TOO_BIG, chosen.size() + " contexts asked for; at most " + MetaContexts.MAX_SELECTED
                    + " may be selected at once");
            return;
        }
        for (MetaContexts.Selected s : chosen) {
            reply(opt, Nbd.REP_META_CONTEXT, metaContextReply(s.id(), s.name()));
        }
        reply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
        selected = chosen;
        selectedFor = e.name();
    }

    private static ByteBuffer metaContextReply(int id, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + n.length).putInt(id).put(n).flip();
    }

    /** {@code len} bytes of {@code data} as a protocol string, or null when not UTF-8 or too long (consumed either way). */
    private static String string(ByteBuffer data, int len) {
        ByteBuffer b = data.slice(data.position(), len);
        data.position(data.position() + len);
        if (len > MAX_STRING) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private void reply(int opt, int type, ByteBuffer data) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(20);
        h.putLong(Nbd.REP_MAGIC).putInt(opt).putInt(type).putInt(data.remaining()).flip();
        write(h, data);
    }

    private void error(int opt, int type, String message) throws IOException {
        reply(opt, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    private ByteBuffer read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException();
            }
        }
        return b.flip();
    }

    private void write(ByteBuffer... bufs) throws IOException {
        for (ByteBuffer b : bufs) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }
}
