package org.splitpoint.engine.control;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The control socket's framing: a type byte, a 32-bit length, the payload. Client to server:
 * {@code A} the command (JSON: args, cwd, terminal), {@code I} stdin bytes, {@code E} end of stdin.
 * Server to client: {@code O} stdout bytes, {@code R} stderr bytes, {@code N} the command wants
 * stdin, {@code X} the exit code (4 bytes), last. A subscription ({@link PoolFeed}) opens with
 * {@code S} (JSON: version, pid) instead of {@code A}; then both sides send {@code M} frames, one
 * JSON message each, until either closes.
 */
final class Frames {

    static final byte COMMAND = 'A';
    static final byte STDIN = 'I';
    static final byte STDIN_EOF = 'E';
    static final byte STDOUT = 'O';
    static final byte STDERR = 'R';
    static final byte NEED_STDIN = 'N';
    static final byte EXIT = 'X';
    static final byte SUBSCRIBE = 'S';
    static final byte MESSAGE = 'M';

    private static final int MAX = 16 << 20;

    private Frames() {
    }

    record Frame(byte type, byte[] data) { }

    static void write(DataOutputStream out, byte type, byte[] data, int off, int len) throws IOException {
        synchronized (out) {
            out.writeByte(type);
            out.writeInt(len);
            out.write(data, off, len);
            out.flush();
        }
    }

    static Frame read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException();
        }
        int len = in.readInt();
        if (len < 0 || len > MAX) {
            throw new IOException("control frame of " + len + " bytes refused");
        }
        byte[] data = new byte[len];
        in.readFully(data);
        return new Frame((byte) type, data);
    }
}
