package org.splitpoint.engine.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

class DeltaLogFuzzReviewTest {
    @TempDir
    Path tmp;

    @Test
    void indexMatchesAModel() throws Exception {
        StorageFactory s = StorageFactory.real();
        for (int round = 0; round < 30; round++) {
            Random rnd = new Random(round);
            int size = 4096;
            byte[] model = new byte[size];
            boolean[] held = new boolean[size];
            List<StorageFile> segs = new ArrayList<>();
            Path base = tmp.resolve("r" + round);
            java.nio.file.Files.createDirectories(base);
            StorageFile f0 = s.create(base.resolve("seg0"));
            long cap = 8192 + 64 * 1024 + (round % 3) * 4096;
            DeltaLog.Overflow of = i -> s.create(base.resolve("seg" + i));
            DeltaLog log = DeltaLog.open(List.of(f0), List.of(cap), of);
            for (int op = 0; op < 2000; op++) {
                int at = rnd.nextInt(size);
                int len = 1 + rnd.nextInt(Math.min(300, size - at));
                byte[] d = new byte[len];
                rnd.nextBytes(d);
                log.append(at, ByteBuffer.wrap(d));
                System.arraycopy(d, 0, model, at, len);
                for (int i = at; i < at + len; i++) {
                    held[i] = true;
                }
                check(log, model, held, rnd, size);
            }
            log.force();
            int n = log.segmentCount();
            log.close();
            List<StorageFile> files = new ArrayList<>();
            List<Long> caps = new ArrayList<>();
            files.add(s.open(base.resolve("seg0")));
            caps.add(cap);
            for (int i = 1; i < n; i++) {
                files.add(s.open(base.resolve("seg" + i)));
                caps.add(Long.MAX_VALUE / 4);
            }
            DeltaLog again = DeltaLog.open(files, caps, of);
            for (int k = 0; k < 200; k++) {
                check(again, model, held, rnd, size);
            }
            again.close();
        }
    }

    private static void check(DeltaLog log, byte[] model, boolean[] held, Random rnd, int size) throws Exception {
        int at = rnd.nextInt(size);
        int len = 1 + rnd.nextInt(size - at);
        boolean all = true;
        boolean any = false;
        for (int i = at; i < at + len; i++) {
            all &= held[i];
            any |= held[i];
        }
        assertThat(log.covers(at, len)).as("covers " + at + "+" + len).isEqualTo(all);
        assertThat(log.touches(at, len)).as("touches " + at + "+" + len).isEqualTo(any);
        byte[] got = new byte[len];
        java.util.Arrays.fill(got, (byte) 0x5a);
        ByteBuffer dst = ByteBuffer.allocate(len + 10);
        dst.position(5).limit(5 + len);
        dst.put(dst.position(), got);
        log.overlay(at, dst);
        dst.get(5, got);
        for (int i = 0; i < len; i++) {
            byte want = held[at + i] ? model[at + i] : (byte) 0x5a;
            if (got[i] != want) {
                throw new AssertionError("overlay " + at + "+" + len + " byte " + (at + i));
            }
        }
        long heldN = 0;
        for (boolean h : held) {
            heldN += h ? 1 : 0;
        }
        assertThat(log.heldPositions()).isEqualTo(heldN);
        // pieces: ordered, non-overlapping, bytes right
        long last = -1;
        for (DeltaLog.Piece p : log.pieces()) {
            assertThat(p.start()).isGreaterThanOrEqualTo(last);
            last = p.end();
            byte[] b = log.read(p);
            for (int i = 0; i < b.length; i++) {
                if (b[i] != model[(int) p.start() + i]) {
                    throw new AssertionError("piece " + p);
                }
            }
        }
    }
}
