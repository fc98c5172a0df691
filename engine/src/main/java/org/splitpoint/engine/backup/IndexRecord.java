package org.splitpoint.engine.backup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;

/**
 * One entry of an image's index: which track, where its bytes are in the data file, and their
 * SHA-256. 64 bytes, with a CRC32C of the record itself so that a torn last record is recognised.
 * A track may appear more than once (a write-through image appends a track each time it is
 * written); the last record wins.
 */
record IndexRecord(long track, long offset, int length, byte[] sha256) {

    static final int SIZE = 64;
    private static final int MAGIC = 0x58495053; // "SPIX"

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putLong(8, track).putLong(16, offset).putInt(24, length);
        b.put(32, sha256);
        b.putInt(28, crc(b));
        return b;
    }

    /** The record in {@code b} (SIZE bytes from its position), or null when torn or not a record. */
    static IndexRecord decode(ByteBuffer b) {
        ByteBuffer r = b.slice(b.position(), SIZE).order(ByteOrder.LITTLE_ENDIAN);
        if (r.getInt(0) != MAGIC || r.getInt(28) != crc(r)) {
            return null;
        }
        byte[] sha = new byte[32];
        r.get(32, sha);
        long track = r.getLong(8);
        long offset = r.getLong(16);
        int length = r.getInt(24);
        if (track < 0 || offset < 0 || length <= 0) {
            return null;
        }
        return new IndexRecord(track, offset, length, sha);
    }

    private static int crc(ByteBuffer r) {
        CRC32C c = new CRC32C();
        c.update(r.array(), r.arrayOffset(), 28);
        c.update(r.array(), r.arrayOffset() + 32, 32);
        return (int) c.getValue();
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] digestOf(byte[] data, int off, int len) {
        MessageDigest md = newDigest();
        md.update(data, off, len);
        return md.digest();
    }
}
