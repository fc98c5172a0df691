package org.splitpoint.engine.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Takes back one lost drive's replacement by a blank image ({@link PoolAdmin#replaceLostDrives}) that
 * pool.json could not record: the member as it was (its drive, its image or none, its state), the
 * drives' fields as they were, the blank deleted and the old image back under its name.
 *
 * <p>Design. What is taken is captured before anything changes; the undo runs only when the
 * replacement was not recorded, so the member's old image (set aside at {@code aside}, or none: a
 * MISSING drive) is opened again as the member's file, as the pool's open would have it.
 */
final class LostDriveUndo implements Runnable {

    private final Pool pool;
    private final RaidVolume volume;
    private final Member member;
    private final Drive lost;
    private final Drive into;
    private final Path aside;
    private final String memberDrive;
    private final DriveState memberState;
    private final long rebuiltUpTo;
    private final boolean absenceRecorded;
    private final Fields lostBefore;
    private final Fields intoBefore;

    /** A drive's fields that a replacement changes. */
    private record Fields(DriveState state, String problem, boolean missing, boolean stale, Member member, String volume) {
        static Fields of(Drive d) {
            return new Fields(d.state, d.problem, d.missing, d.stale, d.member, d.volume);
        }

        void putBack(Drive d) {
            d.state = state;
            d.problem = problem;
            d.missing = missing;
            d.stale = stale;
            d.member = member;
            d.volume = volume;
        }
    }

    private LostDriveUndo(Pool pool, RaidVolume volume, Member member, Drive lost, Drive into, Path aside) {
        this.pool = pool;
        this.volume = volume;
        this.member = member;
        this.lost = lost;
        this.into = into;
        this.aside = aside;
        this.memberDrive = member.drive();
        this.memberState = member.state();
        this.rebuiltUpTo = member.rebuiltUpTo();
        this.absenceRecorded = member.absenceRecorded();
        this.lostBefore = Fields.of(lost);
        this.intoBefore = Fields.of(into);
    }

    /** Captures {@code member} of {@code volume}, lost drive {@code lost}, about to be replaced on {@code into}. */
    static LostDriveUndo of(Pool pool, RaidVolume volume, Member member, Drive lost, Drive into, Path aside) {
        return new LostDriveUndo(pool, volume, member, lost, into, aside);
    }

    @Override
    public void run() {
        IOException failed = null;
        Path image = pool.paths.image(into.name);
        try {
            if (aside != null && java.nio.file.Files.exists(aside)) {
                pool.storage.rename(aside, image); // the old image under its name again
            }
        } catch (IOException e) {
            failed = e;
        }
        lostBefore.putBack(lost);
        if (into != lost) {
            intoBefore.putBack(into);
        }
        try {
            Path old = pool.paths.image(memberDrive);
            StorageFile file = lostBefore.missing() || !java.nio.file.Files.exists(old) ? null : pool.storage.open(old);
            volume.exclusive(() -> {
                member.moveTo(memberDrive, file); // its own drive again, the blank's handle closed
                member.setState(memberState, rebuiltUpTo);
                if (absenceRecorded) {
                    member.markAbsenceRecorded(); // pool.json still says so
                }
            });
        } catch (IOException e) {
            failed = failed == null ? e : failed;
            member.setState(memberState, rebuiltUpTo); // never ONLINE over the blank, whatever its file
        }
        try {
            pool.storage.delete(PoolFiles.restoreBlank(pool.paths, into.name));
            pool.storage.syncDirectory(pool.paths.drives());
        } catch (IOException e) {
            failed = failed == null ? e : failed; // a blank no record names: the open removes it
        }
        if (failed != null) {
            throw new UncheckedIOException("the replacement of drive " + lost.name + " was not recorded and could not be"
                    + " taken back in full (" + failed.getMessage() + ")", failed);
        }
    }
}
