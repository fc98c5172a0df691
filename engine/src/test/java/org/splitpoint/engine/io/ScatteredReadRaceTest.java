package org.splitpoint.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scattered reads (preadv on the read-ahead-less descriptor) while other threads' interrupts close
 * and reopen that descriptor and other files take the freed numbers: every byte returned is the
 * file's. And a file closed under a run: the right bytes or a ClosedChannelException, never others.
 */
@org.junit.jupiter.api.extension.ExtendWith(InterruptsCloseChannels.class)
class ScatteredReadRaceTest {

    private static final int KIB = 1 << 10;

    @TempDir
    Path dir;

    /**
     * d1.img of 4 MiB of random bytes from {@code seed} (returned), and other.img of as many bytes of
     * {@code fill}: the file a reused descriptor number would name.
     */
    private byte[] images(long seed, byte fill) throws java.io.IOException {
        byte[] bytes = new byte[4 * 1024 * KIB];
        new Random(seed).nextBytes(bytes);
        Files.write(dir.resolve("d1.img"), bytes);
        byte[] others = new byte[bytes.length];
        Arrays.fill(others, fill);
        Files.write(dir.resolve("other.img"), others);
        return bytes;
    }

    @Test
    void interruptsAndReusedDescriptorsNeverLendAnotherFilesBytes() throws Exception {
        assumeTrue(ReadAdvice.available(), "needs --add-modules jdk.incubator.foreign, native access and sun.nio.ch open");
        byte[] bytes = images(1, (byte) 0x77);
        Path image = dir.resolve("d1.img");
        Path other = dir.resolve("other.img");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            f.readWithoutReadAhead(0, ByteBuffer.allocateDirect(4096));
            Thread interrupter = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(4 * KIB);
                try {
                    while (!stop.get()) {
                        Thread.currentThread().interrupt();
                        f.readWithoutReadAhead(0, b.clear()); // the interrupt closes the channel; it is reopened
                        Thread.interrupted();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            Thread churn = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        try (FileChannel ch = FileChannel.open(other)) {
                            ch.size(); // takes the lowest free number, perhaps the one just closed
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            Thread[] readers = new Thread[2];
            for (int t = 0; t < readers.length; t++) {
                int seed = t;
                readers[t] = new Thread(() -> {
                    Random r = new Random(seed);
                    ByteBuffer whole = ByteBuffer.allocateDirect(1024 * KIB);
                    try {
                        while (!stop.get()) {
                            int[] lengths = {64 * KIB, 64 * KIB, 64 * KIB};
                            long position = r.nextInt(bytes.length - 192 * KIB);
                            ByteBuffer[] dsts = new ByteBuffer[3];
                            for (int i = 0; i < 3; i++) {
                                dsts[i] = whole.slice(i * 200 * KIB, lengths[i]);
                            }
                            f.readWithoutReadAhead(position, dsts);
                            for (int i = 0; i < 3; i++) {
                                byte[] got = new byte[lengths[i]];
                                whole.get(i * 200 * KIB, got);
                                int p = (int) position + i * 64 * KIB;
                                if (!Arrays.equals(got, 0, got.length, bytes, p, p + got.length)) {
                                    throw new AssertionError("wrong bytes at " + p);
                                }
                            }
                        }
                    } catch (Throwable t2) {
                        failure.compareAndSet(null, t2);
                    }
                });
            }
            interrupter.start();
            churn.start();
            for (Thread t : readers) {
                t.start();
            }
            Thread.sleep(6000);
            stop.set(true);
            interrupter.join();
            churn.join();
            for (Thread t : readers) {
                t.join();
            }
        }
        assertNull(failure.get(), () -> "failed: " + failure.get());
    }

    @Test
    void aFileClosedUnderARunGivesItsBytesOrClosedChannelException() throws Exception {
        assumeTrue(ReadAdvice.available(), "needs --add-modules jdk.incubator.foreign, native access and sun.nio.ch open");
        byte[] bytes = images(2, (byte) 0);
        Path image = dir.resolve("d1.img");
        Path other = dir.resolve("other.img");
        Random r = new Random(3);
        int closedUnder = 0;
        for (int round = 0; round < 300; round++) {
            StorageFile f = RealStorage.INSTANCE.open(image);
            f.readWithoutReadAhead(0, ByteBuffer.allocateDirect(4096));
            ByteBuffer whole = ByteBuffer.allocateDirect(1024 * KIB);
            long position = r.nextInt(bytes.length - 192 * KIB);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    for (int k = 0; k < 50; k++) {
                        ByteBuffer[] dsts = new ByteBuffer[3];
                        for (int i = 0; i < 3; i++) {
                            dsts[i] = whole.slice(i * 200 * KIB, 64 * KIB);
                        }
                        f.readWithoutReadAhead(position, dsts);
                        for (int i = 0; i < 3; i++) {
                            byte[] got = new byte[64 * KIB];
                            whole.get(i * 200 * KIB, got);
                            int p = (int) position + i * 64 * KIB;
                            if (!Arrays.equals(got, 0, got.length, bytes, p, p + got.length)) {
                                throw new AssertionError("wrong bytes at " + p);
                            }
                        }
                    }
                } catch (ClosedChannelException e) {
                    outcome.set(e);
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            reader.start();
            Thread.sleep(0, r.nextInt(999_999));
            f.close();
            try (FileChannel ch = FileChannel.open(other)) { // may take the closed number
                reader.join();
            }
            Throwable t = outcome.get();
            if (t instanceof ClosedChannelException) {
                closedUnder++;
            } else if (t != null) {
                throw new AssertionError("round " + round, t);
            }
        }
        System.out.println("closed under a run: " + closedUnder + " of 300");
    }
}
