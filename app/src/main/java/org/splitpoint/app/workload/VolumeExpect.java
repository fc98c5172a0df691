package org.splitpoint.app.workload;

import java.util.Arrays;

/**
 * What a verifying workload expects in each 4 KiB unit of (the first {@link #MAX_UNITS} units of)
 * one volume: the generation last written there, or 0 when unknown (never written by a workload,
 * or written while not verifying). Guarded by {@link Expectations}' lock.
 */
final class VolumeExpect {

    /** 4 GiB of 4 KiB units: 16 MiB of memory at most per volume. */
    static final int MAX_UNITS = 1 << 20;

    private volatile int[] gens;

    /** Expectations for a volume of {@code volumeSize} bytes; 0 = size not known yet (see {@link #ensure}). */
    VolumeExpect(long volumeSize) {
        this.gens = new int[units(volumeSize)];
    }

    private VolumeExpect(int[] gens) {
        this.gens = gens;
    }

    private static int units(long size) {
        return (int) Math.min(MAX_UNITS, Math.max(0, size) / BlockStamp.UNIT);
    }

    /** Sizes a map made before its volume's size was known (a BCV's, shared at an establish). */
    synchronized void ensure(long volumeSize) {
        if (gens.length == 0) {
            gens = new int[units(volumeSize)];
        }
    }

    /** Bytes covered, from offset 0. */
    long span() {
        return (long) gens.length * BlockStamp.UNIT;
    }

    int get(long offset) {
        return gens[(int) (offset / BlockStamp.UNIT)];
    }

    void set(long offset, int gen) {
        gens[(int) (offset / BlockStamp.UNIT)] = gen;
    }

    /** Forgets the units of tracks [from, to) of {@code trackSize} bytes. */
    void forget(long fromTrack, long toTrack, int trackSize) {
        long a = Math.min(gens.length, fromTrack * trackSize / BlockStamp.UNIT);
        long b = Math.min(gens.length, (toTrack * trackSize + BlockStamp.UNIT - 1) / BlockStamp.UNIT);
        Arrays.fill(gens, (int) a, (int) b, 0);
    }

    VolumeExpect copy() {
        return new VolumeExpect(gens.clone());
    }
}
