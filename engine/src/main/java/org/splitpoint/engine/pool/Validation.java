package org.splitpoint.engine.pool;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.splitpoint.engine.meta.CorruptMetadataException;

/** Argument and configuration checks, each failing with one sentence. */
final class Validation {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");
    private static final Pattern NAME_CHARS = Pattern.compile("[A-Za-z0-9_.-]*");
    private static final int LONGEST_NAME = 63;

    private Validation() {
    }

    static void trackSize(long trackSize) {
        if (trackSize < 4096 || trackSize > (1L << 30) || Long.bitCount(trackSize) != 1) {
            throw new IllegalArgumentException("track size must be a power of two from 4K to 1G, not " + trackSize);
        }
    }

    static void driveSize(long size, long trackSize) {
        if (size < 1L << 20) {
            throw new IllegalArgumentException("drive size must be at least 1M, not " + Sizes.format(size));
        }
        if (size % 4096 != 0) {
            throw new IllegalArgumentException("drive size must be a multiple of 4K, not " + size + " bytes");
        }
        if (size > 1L << 46) {
            throw new IllegalArgumentException("drive size must be at most 64T");
        }
    }

    static void name(String what, String name) {
        if (name != null && name.length() > LONGEST_NAME && NAME.matcher(name.substring(0, LONGEST_NAME)).matches()
                && NAME_CHARS.matcher(name).matches()) {
            // only its length is wrong: say so, without echoing all of it (a 150-character name filled
            // three lines of the app's dialog and read as if its characters were at fault)
            throw new IllegalArgumentException("a " + what + " name has at most " + LONGEST_NAME + " characters; '"
                    + name.substring(0, 20) + "…' has " + name.length());
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a valid " + what
                    + " name (a letter, then up to 62 letters, digits, '_', '.' or '-')");
        }
    }

    /** Sanity of a pool.json that passed its CRC: references and ranges. */
    static void config(PoolConfig c) throws CorruptMetadataException {
        try {
            trackSize(c.trackSize());
        } catch (IllegalArgumentException e) {
            throw new CorruptMetadataException("pool.json: " + e.getMessage());
        }
        Set<String> driveNames = new HashSet<>();
        for (PoolConfig.DriveRecord d : c.drives()) {
            if (d.name() == null || !driveNames.add(d.name()) || d.size() <= 0 || d.state() == null) {
                throw new CorruptMetadataException("pool.json: drive entry " + d.name() + " is invalid");
            }
        }
        for (PoolConfig.VolumeRecord v : c.volumes()) {
            if (v.layout() == null || v.drives().size() < v.layout().minDrives() || v.size() <= 0) {
                throw new CorruptMetadataException("pool.json: volume " + v.name() + " is invalid");
            }
            for (String d : v.drives()) {
                if (!driveNames.contains(d)) {
                    throw new CorruptMetadataException("pool.json: volume " + v.name() + " names unknown drive " + d);
                }
            }
        }
    }
}
