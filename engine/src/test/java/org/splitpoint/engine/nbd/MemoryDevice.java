package org.splitpoint.engine.nbd;

import java.nio.ByteBuffer;
import org.splitpoint.engine.io.BlockDevice;

/** A block device of {@code size} bytes in memory, for servers in tests that need no pool. */
final class MemoryDevice implements BlockDevice {

    private final byte[] bytes;

    MemoryDevice(int size) {
        bytes = new byte[size];
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst) {
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src) {
        src.get(bytes, (int) offset, src.remaining());
    }

    @Override
    public void flush() {
    }
}
