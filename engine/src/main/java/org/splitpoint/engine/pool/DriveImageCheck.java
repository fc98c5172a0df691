package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Looks at every drive image under a running pool, as the open does once: an image removed,
 * truncated or grown behind the engine's back (a mistaken {@code truncate}, a copy over it) is
 * found within one period instead of at the next read that falls past its new end. A member whose
 * image is wrong is FAILED as an I/O error would fail it — on record in pool.json, then a critical
 * event — so the volume serves from the others within its redundancy and the drive waits for
 * {@code drive replace}; a spare or a journal leg is FAILED the same way. The check only reads the
 * directory: it never opens, writes or repairs an image. A drive already FAILED or MISSING, in a
 * service window, or being replaced is left alone.
 */
public final class DriveImageCheck {

    private DriveImageCheck() {
    }

    /**
     * One pass over the pool's drives; returns the sentences of what it found (and acted on) now,
     * empty when every image is as recorded. Holds the pool monitor (as {@code drive fail} does).
     */
    public static List<String> run(Pool pool) throws IOException {
        List<String> found = new ArrayList<>();
        if (pool.isReadOnly()) {
            return found;
        }
        synchronized (pool) {
            for (Drive d : Pool.copy(pool.drives)) {
                DriveState s = d.state();
                if (s == DriveState.FAILED || s == DriveState.MISSING || s == DriveState.OFFLINE || d.inService) {
                    continue;
                }
                String wrong = wrongImage(pool.paths.image(d.name), d);
                if (wrong != null) {
                    fail(pool, d, wrong);
                    found.add(wrong);
                }
            }
        }
        return found;
    }

    /** What is wrong with {@code image}, or null when it is there at its recorded size. */
    static String wrongImage(Path image, Drive d) {
        try {
            if (!Files.exists(image)) {
                return "the image of drive " + d.name + " (" + image + ") was removed while the pool was open";
            }
            long actual = Files.size(image);
            if (actual != d.size) {
                return "the image of drive " + d.name + " changed size while the pool was open: " + actual
                        + " bytes, expected " + d.size;
            }
            return null;
        } catch (IOException e) {
            return "the image of drive " + d.name + " cannot be looked at (" + e.getMessage() + ")";
        }
    }

    private static void fail(Pool pool, Drive d, String why) throws IOException {
        String problem = why + "; the drive is FAILED: replace it ('drive replace')";
        if (d.journal != null) {
            JournalLife.failLeg(pool, d, why, problem); // (it set the problem, then failing the leg cleared it)
            return;
        }
        d.problem = problem;
        Member m = d.member;
        RaidVolume v = d.volume == null ? null : pool.volumes.get(d.volume);
        if (m == null || v == null) {
            d.state = DriveState.FAILED;
            pool.persist();
            pool.events.publish(Event.critical("DRIVE_STATE", d.name, "drive " + d.name + " FAILED: " + why));
            return;
        }
        v.exclusive(() -> v.takeOut(m, DriveState.FAILED));
        pool.recordAbsence(v, m, why); // pool.json first, then the critical event and the volume's state
        m.markAbsenceRecorded();
    }
}
