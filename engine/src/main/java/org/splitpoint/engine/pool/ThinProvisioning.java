package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Drive images are sparse: a new drive of 64 TiB takes nothing on the file system until it is
 * written, so a pool may promise its volumes more bytes than the file system holding it has left
 * (thin provisioning). That is a legitimate choice, and refused nowhere; what this says is how far
 * the promise goes beyond the free space, in one sentence the CLI prints on stderr and the app shows
 * while the numbers are typed: "64 drives × 64 TiB = 4 PiB of images on a file system with 77 GiB
 * free: the drives are thin; writes fail with 'no space' once 77 GiB are used". Before it, "Add
 * drives" took 64 drives of 64 TiB on 77 GiB free without a word, and the first sign was a volume's
 * writes refused for want of space. (Writes that find no space fail as {@code NoSpaceException},
 * never as a drive's failure; this is about seeing it coming.)
 *
 * <p>The images counted are the new ones, which hold nothing yet: the free space is what their
 * writes can take. Drives already in the pool may also grow, by what was never written to them;
 * the JDK does not tell an image's allocated blocks, so that part is not counted here, and the
 * pool's line ({@link #provisionedLine}) puts the pool's whole total beside the free space for the
 * administrator to judge.
 *
 * @param count the images (drives) counted
 * @param each  each one's size in bytes, or -1 when their sizes differ (then only {@code total} is said)
 * @param total what they can grow to together
 * @param free  the bytes the file system lets this process write, -1 when it could not be asked
 */
public record ThinProvisioning(int count, long each, long total, long free) {

    /** {@code count} new drives of {@code each} bytes on a file system with {@code free} bytes free (-1: unknown). */
    public static ThinProvisioning newDrives(int count, long each, long free) {
        return new ThinProvisioning(count, each, saturatedProduct(count, each), free);
    }

    /** The pool's drives as a snapshot lists them, on a file system with {@code free} bytes free (-1: unknown). */
    public static ThinProvisioning pool(PoolSnapshot s, long free) {
        long total = 0;
        long each = s.drives().isEmpty() ? 0 : s.drives().get(0).size();
        for (PoolSnapshot.DriveView d : s.drives()) {
            total = saturatedSum(total, d.size());
            if (d.size() != each) {
                each = -1;
            }
        }
        return new ThinProvisioning(s.drives().size(), each, total, free);
    }

    /**
     * The bytes the file system holding {@code dir} lets this process write; a directory not made
     * yet (a new pool's) is asked through its nearest existing parent. -1 when it cannot be asked.
     */
    public static long freeSpace(Path dir) {
        Path p = dir.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return -1;
        }
        try {
            return Files.getFileStore(p).getUsableSpace();
        } catch (IOException | SecurityException e) {
            return -1;
        }
    }

    /** True when the images can grow past the free space, so writes may fail with "no space" (never when it is unknown). */
    public boolean thin() {
        return free >= 0 && total > free;
    }

    /**
     * "6 drives × 64 MiB = 384 MiB of images on a file system with 77 GiB free", and when the drives
     * are thin ": the drives are thin; writes fail with 'no space' once 77 GiB are used". Without
     * the free space: "... = 384 MiB of images (the file system's free space could not be read)".
     */
    public String sentence() {
        String images = count == 1 ? "1 drive image of " + Sizes.format(total) // "1 drive × 64 MiB = 64 MiB" said it twice
                : (each >= 0 ? count + " drives × " + Sizes.format(each) + " = " : count + " drives, ") + Sizes.format(total) + " of images";
        if (free < 0) {
            return images + " (the file system's free space could not be read)";
        }
        String on = images + " on a file system with " + Sizes.format(free) + " free";
        return thin() ? on + ": the drives are thin; writes fail with 'no space' once " + Sizes.format(free) + " are used" : on;
    }

    /**
     * The pool's line for {@code pool status} and the app's pool view: "provisioned 384 MiB in 6
     * drives; 77 GiB free on the pool's file system". It does not call the pool thin: what its images
     * hold already is no longer free, and cannot be told here (see the class note).
     */
    public String provisionedLine() {
        return "provisioned " + Sizes.format(total) + " in " + Sizes.count(count, "drive") + "; "
                + (free < 0 ? "free space of the pool's file system unknown" : Sizes.format(free) + " free on the pool's file system");
    }

    private static long saturatedProduct(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long saturatedSum(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
