package org.splitpoint.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.raid.RaidVolume;

/** Small pools for tests: one volume "v" of the given layout over the first {@code members} drives. */
public final class TestPools {

    private TestPools() {
    }

    public static Path create(Path dir, Layout layout, int members, long driveSize, int trackSize)
            throws IOException, PoolException {
        Pool.create(dir, members, driveSize, trackSize, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            List<String> drives = new ArrayList<>();
            for (int i = 1; i <= members; i++) {
                drives.add("d" + i);
            }
            p.admin().createVolume("v", layout, drives, 0);
        }
        return dir;
    }

    public static String sha256(RaidVolume v) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < v.size(); at += buf.capacity()) {
                buf.clear().limit((int) Math.min(buf.capacity(), v.size() - at));
                v.read(at, buf);
                buf.flip();
                md.update(buf);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Size of volume "v" of the pool in {@code dir} (opens and closes it). */
    public static long readAllSize(Path dir) throws IOException, PoolException {
        try (Pool p = Pool.open(dir)) {
            return p.volume("v").size();
        }
    }

    public static byte[] readAll(RaidVolume v) throws IOException {
        byte[] b = new byte[(int) v.size()];
        v.read(0, ByteBuffer.wrap(b));
        return b;
    }

    /** Fails with the first differing offset (not the whole arrays) when {@code actual != expected}. */
    /** pool.json and its temporary files: what tests make unwritable to see a failed metadata write. */
    public static boolean poolJson(Path f) {
        return f.getFileName().toString().startsWith("pool.json");
    }

    /** {@code length} bytes of value {@code b}. */
    /** The one value every byte of {@code b} holds, or -1 when they differ. */
    public static int only(byte[] b) {
        for (byte x : b) {
            if (x != b[0]) {
                return -1;
            }
        }
        return b[0] & 0xff;
    }

    public static byte[] filled(int length, int b) {
        byte[] out = new byte[length];
        java.util.Arrays.fill(out, (byte) b);
        return out;
    }

    public static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        if (actual.length != expected.length) {
            throw new AssertionError(what + ": " + actual.length + " bytes, expected " + expected.length);
        }
        int i = java.util.Arrays.mismatch(actual, expected);
        if (i >= 0) {
            int end = i;
            while (end < actual.length && actual[end] != expected[end]) {
                end++;
            }
            throw new AssertionError(what + ": bytes differ from offset " + i + " (first run of " + (end - i)
                    + " bytes): got " + actual[i] + ", expected " + expected[i]);
        }
    }

    /** Copies a pool directory (for one crash run each). */
    public static void copyDir(Path from, Path to) throws java.io.IOException {
        try (var s = java.nio.file.Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(t);
                } else {
                    java.nio.file.Files.copy(p, t);
                }
            }
        }
    }

    /** Deletes a directory tree. */
    public static void deleteDir(Path dir) throws java.io.IOException {
        try (var s = java.nio.file.Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
