package org.splitpoint.app.workload;

/**
 * How a host workload drives a volume.
 *
 * @param readPercent    share of operations that read, 0..100
 * @param blockSize      bytes per operation, a multiple of 4 KiB
 * @param bytesPerSecond target rate (reads + writes), 0 = as fast as it goes
 * @param random         random offsets, else sequential (wrapping)
 * @param verify         check every read against what was written
 */
public record WorkloadSettings(int readPercent, int blockSize, long bytesPerSecond, boolean random, boolean verify) {

    /** The demo's light verified load: 70% reads of 16 KiB at 2 MB/s, random. */
    public static final WorkloadSettings LIGHT = new WorkloadSettings(70, 16 << 10, 2_000_000, true, true);

    public WorkloadSettings {
        if (readPercent < 0 || readPercent > 100) {
            throw new IllegalArgumentException("read share must be 0..100%, not " + readPercent);
        }
        if (blockSize < BlockStamp.UNIT || blockSize % BlockStamp.UNIT != 0 || blockSize > (4 << 20)) {
            throw new IllegalArgumentException("block size must be a multiple of 4 KiB up to 4 MiB, not " + blockSize);
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative");
        }
    }
}
