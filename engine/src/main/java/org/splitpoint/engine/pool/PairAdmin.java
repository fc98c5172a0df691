package org.splitpoint.engine.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pair.InvalidTracks;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.PairChange;
import org.splitpoint.engine.pair.PairChangeGuard;
import org.splitpoint.engine.pair.PairCopyWork;
import org.splitpoint.engine.pair.PairListener;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pair.WrittenSinceSplitException;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * BCV pairs in the pool: their operations, checked against {@link PairRules} (which operation is
 * allowed in which state, with the sentence when not: the rules the app's buttons ask too) before
 * acting, and their life in the pool (open, persist, resume). The mechanism is in {@link Pair}.
 */
public final class PairAdmin {

    private final Pool pool;

    PairAdmin(Pool pool) {
        this.pool = pool;
    }

    /** Sets the guard run around every split, establish and restore, whoever starts it ({@code NONE} to drop it). */
    public void guard(PairChangeGuard g) {
        pool.pairGuard = g == null ? PairChangeGuard.NONE : g;
    }

    /** An engine operation as a guard sees it. */
    private interface Operation<T> {
        T run() throws IOException, PoolException;
    }

    /**
     * Runs {@code op} inside the guard, before any engine lock is taken: the guard may wait for its
     * hosts' I/O, which may need those locks. A pair not found is left for {@code op} to refuse.
     */
    private <T> T guarded(PairChange.Kind kind, List<String> names, Operation<T> op) throws IOException, PoolException {
        List<PairChange.Sides> sides = new ArrayList<>();
        for (String n : new LinkedHashSet<>(names)) {
            Pair p = pool.pairs.get(n);
            if (p != null) {
                sides.add(new PairChange.Sides(n, p.std().name(), p.bcv().name(), p.state()));
            }
        }
        try {
            return pool.pairGuard.around(new PairChange(kind, sides), op::run);
        } catch (IOException | PoolException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e); // a guard's own failure, not the operation's
        }
    }

    /**
     * A pair as {@code pair query} shows it. {@code progress} is 0..1 of the running copy, else null;
     * {@code job} the running copy job, else null; {@code sides} what its volumes add to its rules;
     * {@code splitAt} when the BCV's point-in-time image was taken (null: not known); {@code copyCancelled}
     * its last establish was cancelled and none started since (SyncInProg, the BCV partly copied).
     */
    public record PairView(String name, String std, String bcv, PairState state, long stdInvalidTracks,
                           long bcvInvalidTracks, long totalTracks, int trackSize, boolean isProtected,
                           Double progress, long onDemandReads, JobProgress job, Sides sides, String splitAt,
                           boolean copyCancelled) {

        /** As the canonical constructor, of a pair whose last establish was not cancelled. */
        public PairView(String name, String std, String bcv, PairState state, long stdInvalidTracks,
                        long bcvInvalidTracks, long totalTracks, int trackSize, boolean isProtected,
                        Double progress, long onDemandReads, JobProgress job, Sides sides, String splitAt) {
            this(name, std, bcv, state, stdInvalidTracks, bcvInvalidTracks, totalTracks, trackSize, isProtected,
                    progress, onDemandReads, job, sides, splitAt, false);
        }

        /**
         * The pair's volumes as its rules see them: each side's state (and why), and what each side is
         * being restored from ("a backup", "a snapshot"), else null.
         */
        public record Sides(VolumeState std, String stdReason, VolumeState bcv, String bcvReason, String stdRestoredFrom,
                            String bcvRestoredFrom) {

            /** Sides whose BCV is not being restored. */
            public Sides(VolumeState std, String stdReason, VolumeState bcv, String bcvReason, String stdRestoredFrom) {
                this(std, stdReason, bcv, bcvReason, stdRestoredFrom, null);
            }
        }

        /** A view whose sides are not known (as another process described it): no rule refuses for them. */
        public PairView(String name, String std, String bcv, PairState state, long stdInvalidTracks,
                        long bcvInvalidTracks, long totalTracks, int trackSize, boolean isProtected,
                        Double progress, long onDemandReads, JobProgress job) {
            this(name, std, bcv, state, stdInvalidTracks, bcvInvalidTracks, totalTracks, trackSize, isProtected,
                    progress, onDemandReads, job, new Sides(null, null, null, null, null), null);
        }

        /** As the canonical constructor, without the split time (null: not known). */
        public PairView(String name, String std, String bcv, PairState state, long stdInvalidTracks,
                        long bcvInvalidTracks, long totalTracks, int trackSize, boolean isProtected,
                        Double progress, long onDemandReads, JobProgress job, Sides sides) {
            this(name, std, bcv, state, stdInvalidTracks, bcvInvalidTracks, totalTracks, trackSize, isProtected,
                    progress, onDemandReads, job, sides, null);
        }

        /**
         * True while a copy runs or is owed (SyncInProg, RestInProg), which holds the pair: not an establish
         * that was cancelled (its BCV partly copied until the next one). {@link PairAdmin}'s rule, as shown.
         */
        public boolean copyOwed() {
            return state.copying() && !copyCancelled;
        }

        /** True while the BCV holds the point-in-time image taken at {@code splitAt} (Split, or a protected restore). */
        public boolean holdsImage() {
            return splitAt != null && (state == PairState.Split || state == PairState.SplitInProg
                    || state == PairState.RestInProg && isProtected);
        }

        /**
         * "STD" or "BCV" when that side's volume is FAILED while the recorded state says the sides
         * mirror or copy, else null. The record keeps its state when a side's drives fail (an
         * establish or a restore is then refused until they are replaced), so "Synchronized" alone
         * would claim the sides in sync while nothing is mirrored; every view says this beside it.
         * Split and NeverEstab claim nothing of the kind.
         */
        public String failedSide() {
            if (sides == null || state == PairState.Split || state == PairState.SplitInProg
                    || state == PairState.NeverEstab) {
                return null;
            }
            return sides.std() == VolumeState.FAILED ? "STD" : sides.bcv() == VolumeState.FAILED ? "BCV" : null;
        }

        /** What a {@linkplain #failedSide() FAILED side} means for hosts, in one sentence; null without one. */
        public String failedSideMeaning() {
            String side = failedSide();
            if (side == null) {
                return null;
            }
            return side.equals("STD")
                    ? "volume " + std + " (the STD) is FAILED (" + sides.stdReason() + "): nothing is mirrored while it is;"
                            + " the BCV keeps what was mirrored to it (the pair's record says " + state + ")"
                    : "volume " + bcv + " (the BCV) is FAILED (" + sides.bcvReason() + "): host writes to the STD are not"
                            + " mirrored; their tracks are marked to copy once its drives are replaced (the pair's record"
                            + " says " + state + ")";
        }
    }

    // ---- life in the pool ---------------------------------------------------------------------

    static void openPairs(Pool pool) throws IOException {
        for (PoolConfig.PairRecord r : Pool.copy(pool.pairRecords)) {
            RaidVolume std = pool.volumes.get(r.std());
            long tracks = (std.size() + pool.trackSize - 1) / pool.trackSize;
            InvalidTracks s = new InvalidTracks(MetaFiles.bitmap(pool, pool.paths.pairBitmap(r.name(), "std.inv"), tracks,
                    "the STD bitmap of pair " + r.name(), "every track of the STD side is marked invalid, so the pair's"
                            + " next establish or restore copies all of them"));
            InvalidTracks b = new InvalidTracks(MetaFiles.bitmap(pool, pool.paths.pairBitmap(r.name(), "bcv.inv"), tracks,
                    "the BCV bitmap of pair " + r.name(), "every track of the BCV side is marked invalid, so the pair's"
                            + " next establish or restore copies all of them"));
            Pair p = newPair(pool, r, s, b);
            pool.pairs.put(r.name(), p);
            if (!pool.isReadOnly()) {
                p.recoverAfterCrash();
            }
        }
    }

    private static Pair newPair(Pool pool, PoolConfig.PairRecord r, InvalidTracks s, InvalidTracks b) {
        Pair p = new Pair(r.name(), pool.volumes.get(r.std()), pool.volumes.get(r.bcv()), pool.trackSize, r.state(),
                r.protect(), s, b, listener(pool), r.onDemandReads());
        p.setReadOnly(pool.isReadOnly());
        p.setCopyCancelled(r.copyCancelled());
        return p;
    }

    private static PairListener listener(Pool pool) {
        return new PairListener() {
            @Override
            public void stateChanged(Pair pair, String message) {
                // any thread, holding the pair's gate: persist() takes only the innermost lock
                try {
                    pool.persist();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                pool.events.publish(Event.info("PAIR_STATE", pair.name(), message));
            }

            @Override
            public void stateChangedUnrecorded(Pair pair, String message) {
                pool.events.publish(Event.info("PAIR_STATE", pair.name(), message));
            }

            @Override
            public void problem(Pair pair, String message) {
                pool.events.publish(Event.critical("PAIR_STATE", pair.name(), message));
            }
        };
    }

    /**
     * Why {@code v} cannot be imaged now (a snapshot, a backup) because a pair restores it, its
     * STD, from the BCV: hosts read the tracks not yet restored from the BCV while {@code v} still
     * holds its own older bytes there, which an image reads (and copies before write) from the
     * volume; null when no pair does. The first half of a sentence, the caller says what to do.
     * Asked under the pool's monitor, which a pair restore starts under too.
     */
    static String restoringFromBcv(Pool pool, RaidVolume v) {
        for (Pair p : pool.pairList()) {
            String why = restoringFromBcv(v.name(), p.name(), p.std().name(), p.state());
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /**
     * The one sentence for volume {@code volume} being restored from its BCV by pair {@code pair}
     * (its STD {@code std}, in {@code state}), else null: the engine asks it of its pairs, the app of
     * the pairs it was shown, so a button is disabled before the engine would refuse.
     */
    public static String restoringFromBcv(String volume, String pair, String std, PairState state) {
        return std.equals(volume) && state == PairState.RestInProg
                ? "volume " + volume + " is being restored from its BCV in pair " + pair + ", which is " + state.described()
                : null;
    }

    /** Starts the copy of every pair found SyncInProg or RestInProg (after a restart or a crash). */
    static void resumeCopies(Pool pool) throws IOException {
        boolean changed = false;
        for (Pair p : pool.pairList()) {
            if (copyOwed(p)) { // a cancelled establish waits for the next one
                pool.startResumed(copyJob(pool, p, false, -1)); // (its thread refused: the copy resumes at the next opening)
            }
            changed |= p.state() != pool.pairRecords.get(p.name()).state();
        }
        if (changed && !pool.isReadOnly()) {
            pool.persist(); // recovery moved a pair (Synchronized → SyncInProg after a crash)
        }
    }

    private static Job startCopy(Pool pool, Pair p, boolean fresh) throws IOException {
        return startCopy(pool, p, fresh, -1);
    }

    /**
     * Puts the settings of a fresh copy of {@code p} (its limit, not paused, its total as the
     * tracks to copy are counted now) in the pair's record before the copy's start records the
     * pair's new state, so that one metadata write carries both; {@link #startCopy} writes again
     * only when they changed meanwhile (a host write marked a track in between). Returns the
     * record as it was, to put back should the start fail.
     */
    private static PoolConfig.PairRecord copySettingsAhead(Pool pool, Pair p, boolean full, long throttle) {
        PoolConfig.PairRecord r = pool.pairRecords.get(p.name());
        long total = full ? p.totalTracks() : p.changes().either();
        pool.pairRecords.put(r.name(), r.with(r.state(), r.protect(), Math.max(0, throttle), false, total));
        return r;
    }

    /** Starts (or resumes) the copy job; {@code throttle} ≥ 0 sets its limit from the start. */
    private static Job startCopy(Pool pool, Pair p, boolean fresh, long throttle) throws IOException {
        p.setCopyCancelled(false); // recorded with the copy's start, which resumes at an opening from then on
        Job job = copyJob(pool, p, fresh, throttle);
        pool.startJob(job);
        return job;
    }

    /** The copy job of {@code p}, its settings on record, not started ({@link #startCopy}). */
    private static Job copyJob(Pool pool, Pair p, boolean fresh, long throttle) throws IOException {
        PairCopyWork work = p.copyWork();
        PoolConfig.PairRecord r = pool.pairRecords.get(p.name());
        long remaining = work.remaining();
        long total = fresh || r.jobTotal() < remaining ? remaining : r.jobTotal();
        if (fresh || throttle >= 0) {
            // a limit belongs to the operation it was given for: a fresh copy without one runs
            // unlimited, whatever an earlier establish or restore of this pair was limited to; a
            // copy resumed (after a pause, a restart) keeps its own
            long t = throttle >= 0 ? throttle : fresh ? 0 : r.throttle();
            PoolConfig.PairRecord was = r;
            r = r.with(p.state(), p.isProtected(), t, false, total);
            pool.pairRecords.put(r.name(), r);
            if (was.throttle() != t || was.paused() || was.jobTotal() != total) {
                pool.persist(); // else the copy's start already wrote these (see copySettingsAhead)
            }
        }
        String id = work.kind() + "-" + p.name();
        Job job = new Job(id, work.kind(), p.name(), total - remaining, total, pool.trackSize, r.paused(), r.throttle(),
                new SavedSettings(pool, p.name(), work, (paused, limit) -> {
                    PoolConfig.PairRecord pr = pool.pairRecords.get(p.name());
                    if (pr == null) {
                        return false; // the pair was deleted
                    }
                    pool.pairRecords.put(p.name(), pr.with(pr.state(), pr.protect(), limit, paused, pr.jobTotal()));
                    return true;
                }),
                pr -> pool.events.publish(Event.info("JOB_PROGRESS", id, pr.line())));
        return job;
    }

    // ---- operations -----------------------------------------------------------------------------

    private Pair pair(String name) throws PoolException {
        Pair p = pool.pairs.get(name);
        if (p == null) {
            throw new PoolException("no pair named '" + name + "' in this pool (pairs: "
                    + (pool.pairs.isEmpty() ? "none" : String.join(", ", pool.pairs.keySet())) + ")");
        }
        return p;
    }

    private Job runningJob(Pair p) {
        for (Job j : pool.jobs) {
            if (j.target().equals(p.name()) && !j.state().isFinished()) {
                return j;
            }
        }
        return null;
    }

    /** Creates pair {@code name} of STD {@code std} and BCV {@code bcv}; it starts NeverEstab. */
    public void create(String name, String std, String bcv) throws IOException, PoolException {
        Validation.name("pair", name);
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            if (pool.pairs.containsKey(name)) {
                throw new PoolException("a pair named '" + name + "' already exists");
            }
            RaidVolume s = pool.volume(std);
            RaidVolume b = pool.volume(bcv);
            if (s == b) {
                throw new IllegalArgumentException("--std and --bcv name the same volume " + std);
            }
            for (RaidVolume v : List.of(s, b)) {
                if (v.name().equals(pool.snapshotCatalog.saveAreaVolume)) {
                    throw new PoolException("volume " + v.name() + " is the save area of the pool's snapshots; it cannot be"
                            + " in a pair");
                }
            }
            for (Pair p : pool.pairList()) {
                for (RaidVolume v : List.of(s, b)) {
                    if (p.std() == v || p.bcv() == v) {
                        throw new PoolException("volume " + v.name() + " is already in pair " + p.name()
                                + "; a volume belongs to one pair at most");
                    }
                }
            }
            if (s.size() != b.size()) {
                throw new PoolException("volumes " + std + " (" + Sizes.format(s.size()) + ") and " + bcv + " ("
                        + Sizes.format(b.size()) + ") differ in size; a pair needs two volumes of the same size");
            }
            Refusal.check(PairRules.create(PoolSnapshots.of(pool), name, std, bcv)); // restores start under this monitor too
            for (String kind : List.of("std.inv", "bcv.inv")) {
                pool.storage.delete(pool.paths.pairBitmap(name, kind));
            }
            PoolConfig.PairRecord r = new PoolConfig.PairRecord(name, std, bcv, PairState.NeverEstab, false, 0, false, 0, 0);
            long tracks = (s.size() + pool.trackSize - 1) / pool.trackSize;
            // never established: nothing on the BCV is valid, every STD track is to copy
            InvalidTracks si = new InvalidTracks(DurableBitmap.create(pool.storage, pool.paths.pairBitmap(name, "std.inv"), tracks, true));
            InvalidTracks bi = new InvalidTracks(DurableBitmap.create(pool.storage, pool.paths.pairBitmap(name, "bcv.inv"), tracks, false));
            pool.storage.syncDirectory(pool.paths.meta());
            Pair p = newPair(pool, r, si, bi);
            pool.pairRecords.put(name, r);
            try {
                // on record before hosts go through it: a pair pool.json does not have is not made (before,
                // it stayed, tracking hosts' writes, and 'pair create' again said it existed). Until hosts go
                // through it nothing escapes it: every STD track is to copy, and the BCV's own writes are
                // overwritten by that copy
                pool.persist();
            } catch (IOException | RuntimeException e) {
                pool.pairRecords.remove(name);
                try {
                    p.close();
                    for (String kind : List.of("std.inv", "bcv.inv")) {
                        pool.storage.delete(pool.paths.pairBitmap(name, kind)); // a later create makes them anew anyway
                    }
                } catch (IOException left) {
                    e.addSuppressed(left);
                }
                throw e;
            }
            pool.changeHostWay(List.of(std, bcv), () -> { // after the requests under way to the volumes themselves
                pool.pairs.put(name, p);
                pool.pairsChanged();
            });
            pool.events.publish(Event.info("PAIR_STATE", name, "pair " + name + " created: STD " + std + ", BCV " + bcv
                    + "; NeverEstab"));
        }
    }

    /**
     * Establish (STD → BCV), incremental unless {@code full}; returns the copy job. What hosts wrote to a
     * Split BCV since the split is overwritten ({@link BcvWrites#MAY_BE_OVERWRITTEN}): for callers that
     * asked first or need not ask; an administrator's establish says which it was agreed to.
     */
    public Job establish(String name, boolean full) throws IOException, PoolException {
        return establish(name, full, -1);
    }

    /** As {@link #establish(String, boolean)}, limited to {@code throttle} bytes/s (-1: none for a new copy; a resumed copy keeps its own). */
    public Job establish(String name, boolean full, long throttle) throws IOException, PoolException {
        return establish(name, full, throttle, BcvWrites.MAY_BE_OVERWRITTEN);
    }

    /**
     * As {@link #establish(String, boolean, long)}; with {@link BcvWrites#REFUSE_IF_ANY} a Split pair whose
     * BCV hosts wrote since the split is refused ({@link PairRules#bcvWritesNotConfirmed}) and nothing
     * changes, checked at the instant the establish starts (under the pair's gate), not when it was asked.
     */
    public Job establish(String name, boolean full, long throttle, BcvWrites bcvWrites) throws IOException, PoolException {
        return guarded(PairChange.Kind.ESTABLISH, List.of(name), () -> establishNow(name, full, throttle, bcvWrites));
    }

    private Job establishNow(String name, boolean full, long throttle, BcvWrites bcvWrites) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            Pair p = pair(name);
            Refusal.check(PairRules.establish(view(p)));
            if (p.state() == PairState.SyncInProg) {
                // resume a copy that stopped: one a crash stopped keeps its own limit; one that was
                // cancelled starts again as a new operation, with none but the one given now
                return startCopy(pool, p, p.copyCancelled(), throttle);
            }
            PoolConfig.PairRecord was = copySettingsAhead(pool, p, full, throttle);
            try {
                p.beginEstablish(full, bcvWrites == BcvWrites.MAY_BE_OVERWRITTEN);
            } catch (WrittenSinceSplitException e) {
                pool.pairRecords.put(name, was);
                throw PairRules.bcvWritesNotConfirmed(e.pair(), e.volume(), e.tracks()).exception();
            } catch (IOException | RuntimeException e) {
                pool.pairRecords.put(name, was);
                throw e;
            }
            return startCopy(pool, p, true, throttle);
        }
    }

    /** Splits the named pairs at one instant (consistent across them). */
    public void split(List<String> names) throws IOException, PoolException {
        guarded(PairChange.Kind.SPLIT, names, () -> {
            splitNow(names);
            return null;
        });
    }

    private void splitNow(List<String> names) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            List<Pair> ps = new ArrayList<>();
            for (String n : new LinkedHashSet<>(names)) {
                Pair p = pair(n);
                Refusal.check(PairRules.split(view(p)));
                ps.add(p);
            }
            // the instant goes on record with the split itself (when the BCV's image was taken)
            String at = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            java.util.Map<String, PoolConfig.PairRecord> before = new java.util.HashMap<>();
            try {
                Pair.split(ps, () -> {
                    for (Pair p : ps) {
                        PoolConfig.PairRecord r = pool.pairRecords.get(p.name());
                        before.put(p.name(), r);
                        pool.pairRecords.put(p.name(), r.withSplitAt(at));
                    }
                    try {
                        pool.persist();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                pool.pairRecords.putAll(before);
                resumeAfterFailedSplit(ps);
                throw e.getCause(); // the split was not recorded: the pairs mirror again
            } catch (IOException | RuntimeException e) {
                pool.pairRecords.putAll(before);
                resumeAfterFailedSplit(ps);
                throw e;
            }
            for (Pair p : ps) {
                pool.events.publish(Event.info("PAIR_STATE", p.name(), "pair " + p.name() + " split"
                        + (ps.size() > 1 ? " (consistently with " + (ps.size() - 1) + " other pairs)" : "")));
            }
        }
    }

    /**
     * A split that failed after hosts wrote the STD alone left those pairs SyncInProg: their copy
     * starts now (or, should that fail too, when the pool next opens).
     */
    private void resumeAfterFailedSplit(List<Pair> ps) {
        for (Pair p : ps) {
            if (p.state().copying()) {
                try {
                    startCopy(pool, p, true);
                } catch (IOException | RuntimeException e) {
                    pool.events.publish(Event.critical("PAIR_STATE", p.name(), "pair " + p.name() + ": the split failed"
                            + " and the copy of the STD's changes since could not start (" + e.getMessage()
                            + "); establish the pair again"));
                }
            }
        }
    }

    /** Restore (BCV → STD), incremental unless {@code full}; {@code protect} keeps the BCV split. */
    public Job restore(String name, boolean full, boolean protect) throws IOException, PoolException {
        return restore(name, full, protect, -1);
    }

    /**
     * As {@link #restore(String, boolean, boolean)}, limited to {@code throttle} bytes/s (-1: none for a new copy; a
     * resumed copy keeps its own). What hosts wrote to the STD since the split is overwritten ({@link
     * StdWrites#MAY_BE_OVERWRITTEN}): for callers that asked first or need not ask; an administrator's restore
     * says which it was agreed to.
     */
    public Job restore(String name, boolean full, boolean protect, long throttle) throws IOException, PoolException {
        return restore(name, full, protect, throttle, StdWrites.MAY_BE_OVERWRITTEN);
    }

    /**
     * As {@link #restore(String, boolean, boolean, long)}; with {@link StdWrites#REFUSE_IF_ANY} a Split pair whose
     * STD hosts wrote since the split is refused ({@link PairRules#stdWritesNotConfirmed}) and nothing changes,
     * checked at the instant the restore starts (under the pair's gate), not when it was asked. A stopped
     * restore that resumes was agreed to when it began: nothing is checked.
     */
    public Job restore(String name, boolean full, boolean protect, long throttle, StdWrites stdWrites)
            throws IOException, PoolException {
        return guarded(protect ? PairChange.Kind.RESTORE_PROTECTED : PairChange.Kind.RESTORE, List.of(name),
                () -> restoreNow(name, full, protect, throttle, stdWrites));
    }

    private Job restoreNow(String name, boolean full, boolean protect, long throttle, StdWrites stdWrites)
            throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            Pair p = pair(name);
            Refusal.check(PairRules.restore(view(p)));
            if (p.state() == PairState.RestInProg) {
                return startCopy(pool, p, false, throttle); // resume a copy that stopped
            }
            PoolConfig.PairRecord was = copySettingsAhead(pool, p, full, throttle);
            try {
                p.beginRestore(full, protect, stdWrites == StdWrites.MAY_BE_OVERWRITTEN);
            } catch (WrittenSinceSplitException e) {
                pool.pairRecords.put(name, was);
                throw PairRules.stdWritesNotConfirmed(e.pair(), e.volume(), e.tracks()).exception();
            } catch (IOException | RuntimeException e) {
                pool.pairRecords.put(name, was);
                throw e;
            }
            return startCopy(pool, p, true, throttle);
        }
    }

    /** The pair as its rules and {@code pair query} see it now. */
    private PairView view(Pair p) {
        Job j = runningJob(p);
        JobProgress jp = j == null ? null : j.progress();
        String std = p.std().name();
        PairView.Sides sides = new PairView.Sides(p.std().state(), p.std().stateReason(), p.bcv().state(),
                p.bcv().stateReason(), restoredFrom(std), restoredFrom(p.bcv().name()));
        return new PairView(p.name(), std, p.bcv().name(), p.state(), p.stdInvalidTracks(),
                p.bcvInvalidTracks(), p.totalTracks(), p.trackSize(), p.isProtected(),
                jp == null ? null : jp.fraction(), p.onDemandReads(), jp, sides, splitAt(p.name()), p.copyCancelled());
    }

    /** What volume {@code name} is being restored from ("a backup", "a snapshot"), else null. */
    private String restoredFrom(String name) {
        return pool.restores.containsKey(name) ? "a backup"
                : pool.snapshotCatalog.restores.containsKey(name) ? "a snapshot" : null;
    }

    private String splitAt(String pair) {
        PoolConfig.PairRecord r = pool.pairRecords.get(pair);
        return r == null ? null : r.splitAt();
    }

    /**
     * Whether {@code p} has a copy under way or owed to it (SyncInProg, RestInProg), which holds it: not
     * an establish that was cancelled (SyncInProg, its BCV partly copied, until the next establish).
     */
    private static boolean copyOwed(Pair p) {
        return p.state().copying() && !p.copyCancelled();
    }

    /**
     * Why pair {@code name} cannot be deleted now (one sentence), or null when it can. A side being
     * restored from a backup or to a snapshot holds it ({@link PairRules#delete}). A copy that
     * runs (SyncInProg, RestInProg) holds it unless {@code stopCopy}: then the copy is cancelled
     * first, as a job's cancel does (an establish leaves the BCV partly copied, a restore the STD
     * partly restored).
     */
    public String whyNotDelete(String name, boolean stopCopy) {
        Pair p = pool.pairs.get(name);
        if (p == null) {
            return "no pair named '" + name + "' in this pool";
        }
        Refusal restored = PairRules.delete(view(p)); // before a copy is stopped for nothing
        if (restored != null) {
            return restored.sentence();
        }
        PairState s = p.state();
        if (copyOwed(p) && !stopCopy) {
            return "pair " + name + " is " + s + " (" + (s == PairState.RestInProg ? "the STD is being restored from the BCV"
                    : "the BCV is being copied from the STD") + "); stop the copy first, or wait until it finishes";
        }
        if (s == PairState.SplitInProg) {
            return "pair " + name + " is SplitInProg; wait for the split to finish";
        }
        return null;
    }

    /**
     * Deletes pair {@code name}: its volumes stay, independent, with what they hold now (the BCV no
     * longer mirrors the STD). One atomic pool.json write removes it; its bitmaps go after. With
     * {@code stopCopy} a running establish or restore is cancelled first; otherwise refused while one runs.
     */
    public void delete(String name, boolean stopCopy) throws IOException, PoolException, InterruptedException {
        pool.refuseIfClosed();
        String why = whyNotDelete(name, stopCopy);
        if (why != null) {
            throw new PoolException(why);
        }
        Pair p = pair(name);
        if (copyOwed(p)) {
            // outside the pool's monitor: the job's end records the pair's state through it
            Job j = runningJob(p);
            if (j == null) {
                j = startCopy(pool, p, false); // a copy recorded but not running here: its own cancel path
            }
            j.cancel();
            j.start();
            if (!j.await(60_000)) {
                throw new PoolException("the " + j.kind() + " of pair " + name + " did not stop within a minute; try again");
            }
        }
        synchronized (pool) {
            why = whyNotDelete(name, false);
            if (why != null) {
                throw new PoolException(why); // a copy started again meanwhile
            }
            p = pair(name);
            PoolConfig.PairRecord record = pool.pairRecords.get(name);
            PairState was = p.state();
            pool.pairs.remove(name);
            pool.pairRecords.remove(name);
            try {
                pool.persist(); // the decision: one atomic write
            } catch (IOException e) {
                pool.pairRecords.put(name, record);
                pool.pairs.put(name, p);
                throw e;
            }
            // hosts go to the volumes themselves from now on; requests in flight through the pair end
            // first, then its bitmaps close and go
            pool.changeHostWay(List.of(p.std().name(), p.bcv().name()), pool::pairsChanged);
            p.flushAndClose();
            for (String kind : List.of("std.inv", "bcv.inv")) {
                pool.storage.delete(pool.paths.pairBitmap(name, kind));
            }
            pool.storage.syncDirectory(pool.paths.meta());
            pool.events.publish(Event.info("PAIR_STATE", name, "pair " + name + " deleted (was " + was + "); volumes "
                    + p.std().name() + " and " + p.bcv().name() + " are independent"));
        }
    }

    /** The live pair, for track maps and on-demand counters. */
    public Pair get(String name) throws PoolException {
        return pair(name);
    }

    /** Every pair (or the named one) as {@code pair query} shows it. */
    public List<PairView> query(String only) throws PoolException {
        if (only != null) {
            pair(only);
        }
        List<PairView> out = new ArrayList<>();
        List<Pair> all;
        synchronized (pool.pairs) {
            all = new ArrayList<>(pool.pairs.values());
        }
        for (Pair p : all) {
            if (only != null && !only.equals(p.name())) {
                continue;
            }
            out.add(view(p));
        }
        return out;
    }
}
