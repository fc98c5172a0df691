package org.splitpoint.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pair.TrackMap;
import org.splitpoint.engine.pool.PairAdmin;
import org.splitpoint.engine.pool.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code splitpoint pair create|delete|establish|split|restore|query}: BCV mirror pairs (seed 004). */
@Command(name = "pair", description = "BCV mirror pairs: create, delete, establish, split, restore, query.",
        subcommands = {PairCommand.Create.class, PairCommand.Delete.class, PairCommand.Establish.class, PairCommand.SplitPairs.class,
                PairCommand.Restore.class, PairCommand.Query.class})
final class PairCommand {

    private PairCommand() {
    }

    /** MB/s (decimal, as rates are shown) to bytes/s; null keeps the pair's setting (-1). */
    static long throttleBytes(Double mbPerSecond) {
        return mbPerSecond == null ? -1 : rateBytes(mbPerSecond);
    }

    /**
     * A rate in MB/s that {@link RateArgument} took (0 for no limit, else 1 byte/s to 1 TB/s) to bytes/s: the
     * option's converter refuses the rest with the number as typed.
     */
    static long rateBytes(double mbPerSecond) {
        return Math.round(mbPerSecond * 1e6);
    }

    @Command(name = "create", description = "Pair a standard volume with a BCV of the same size (starts NeverEstab).")
    static final class Create extends OnPool {
        @Parameters(index = "1", paramLabel = "PAIR",
                description = "the new pair's name")
        String name;
        @Option(names = "--std", required = true, paramLabel = "VOLUME",
                description = "the standard volume, the one hosts use")
        String std;
        @Option(names = "--bcv", required = true, paramLabel = "VOLUME",
                description = "the BCV: a volume of the same size that mirrors the standard one")
        String bcv;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                pool.pairs().create(name, std, bcv);
                out().println("created pair " + name + ": STD " + std + ", BCV " + bcv + ", NeverEstab");
                return 0;
            });
        }
    }

    @Command(name = "delete", description = {"Delete a pair: its volumes stay, independent, with what they hold now.",
            "Refused while a copy runs unless --stop, which cancels it first (an establish leaves the BCV partly copied,"
                    + " a restore leaves the STD partly restored), and while one of its volumes is being restored from a backup"
                    + " or to a snapshot. Asks for the pair's name on a terminal; needs --yes otherwise."})
    static final class Delete extends OnPool {
        @Parameters(index = "1", paramLabel = "PAIR",
                description = "the pair to delete")
        String name;
        @Option(names = "--stop", description = "cancel a running establish or restore first")
        boolean stop;
        @Option(names = "--yes", description = "confirm without being asked (needed when stdin is not a terminal)")
        boolean yes;
        @Option(names = "--check", description = "change nothing: say whether the pair may be deleted now (exit 0) or"
                + " why not (exit 1)")
        boolean check;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                String why = pool.pairs().whyNotDelete(name, stop);
                if (why != null) { // --check: the engine's sentence as it is (the app attached to serve shows it)
                    throw new org.splitpoint.engine.pool.PoolException(why + (!check && why.contains("stop the copy")
                            ? " (--stop)" : ""));
                }
                if (check) {
                    out().println("pair " + name + " may be deleted" + (stop ? " (its running copy stopped first)" : ""));
                    return 0;
                }
                PairAdmin.PairView p = pool.pairs().query(name).get(0);
                String consequence = "deleting pair " + name + " ends the tracking between " + p.std() + " and " + p.bcv()
                        + " (a new pair of them starts with a full establish)"
                        + (p.state().copying() ? "; the running " + (p.state() == org.splitpoint.engine.pair.PairState.RestInProg
                        ? "restore is cancelled, leaving " + p.std() + " partly restored"
                        : "establish is cancelled, leaving " + p.bcv() + " partly copied") : "");
                if (!yes && !Confirm.typed(err(), consequence, name, "nothing was deleted")) {
                    return 1;
                }
                pool.pairs().delete(name, stop);
                out().println("deleted pair " + name + "; volumes " + p.std() + " and " + p.bcv() + " are independent");
                return 0;
            });
        }
    }

    /** What establish and restore share: the pair, --full, --no-wait, --throttle, and waiting with a progress line. */
    abstract static class CopyCommand extends OnPool {
        @Parameters(index = "1", paramLabel = "PAIR",
                description = "the pair")
        String name;
        @Option(names = "--full", description = "copy every track, not only the invalid ones")
        boolean full;
        @Option(names = "--no-wait", description = "return at once; the copy continues whenever a process holds the pool")
        boolean noWait;
        @Option(names = "--throttle", paramLabel = "MB/s", converter = RateArgument.class, description = "limit the copy to this rate (0 = unlimited)")
        Double throttle;

        /**
         * Starts the copy; {@code limit} is bytes/s or -1 to keep the pair's setting; {@code agreed}: what the
         * copy overwrites was agreed to (asked and typed, --yes, or off a terminal), not only that nothing
         * was found to ask about when the command looked.
         */
        abstract Job start(org.splitpoint.engine.pool.Pool pool, long limit, boolean agreed) throws Exception;

        /** "establish of p1 started: 12 tracks to copy (incremental)". */
        abstract String started(Job job);

        /** Throws IllegalArgumentException (a usage error) for options that contradict each other. */
        void checkOptions() {
        }

        @Option(names = "--yes", description = "confirm what the copy overwrites without being asked on a terminal")
        boolean yes;

        /**
         * What this copy would overwrite that cannot be undone, or null when it overwrites nothing anyone
         * wrote since the split (or the pair is not Split: a copy under way was confirmed when it began,
         * and the engine refuses the other states with their own sentence).
         */
        abstract CopyConsequence overwrites(org.splitpoint.engine.pool.Pool pool) throws Exception;

        /**
         * The one question of both directions. On a terminal the overwritten volume's name is typed to go
         * on (or --yes), as the app asks; a hand that meant another pair stops there. Off a terminal the
         * copy goes on and says on stderr what it overwrote, once it started: 'pair establish|restore POOL
         * PAIR' is the SPEC's contract for scripts (a daily establish, the restore of a BCV-based
         * recovery), which a --yes required there would break, and their log keeps the sentence.
         */
        @Override
        public Integer call() throws Exception {
            long limit = throttleBytes(throttle);
            checkOptions();
            return PoolSession.with(dir, err(), pool -> {
                CopyConsequence consequence = yes ? null : overwrites(pool);
                boolean terminal = CliContext.current().terminal();
                if (consequence != null && terminal
                        && !Confirm.typed(err(), consequence.sentence(), consequence.typed(), consequence.notDone())) {
                    return 1;
                }
                // on a terminal that found nothing to ask about, nothing was agreed to: what hosts write
                // meanwhile is not the command's to overwrite (the engine checks, as the copy starts)
                Job job = start(pool, limit, yes || consequence != null || !terminal);
                if (consequence != null && !terminal) {
                    err().println("splitpoint: " + consequence.sentence());
                }
                out().println(started(job));
                if (noWait && JobCommand.waitingForAHolder(List.of(job))) {
                    // "started" alone read as a copy under way, though none runs until a process holds the pool
                    out().println(JobCommand.WAITING_FOR_A_HOLDER);
                }
                return noWait ? 0 : WaitCommand.awaitJobs(pool, err(), List.of(job));
            });
        }
    }

    /** "1 track", "12 tracks". */
    static String tracks(long n) {
        return Sizes.count(n, "track");
    }

    @Command(name = "establish", description = {"Copy STD → BCV (incremental unless --full) and keep mirroring.",
            "Of a Split pair whose BCV was written since the split (a backup host mounted it), it overwrites those"
                    + " writes, which cannot be undone, as a pair's first establish overwrites all the BCV held: on a"
                    + " terminal it asks for the BCV's name (or --yes); a script's establish goes on and says on stderr"
                    + " what it overwrites. One that asked nothing is refused"
                    + " (exit 1) if a host writes to the BCV before it starts."})
    static final class Establish extends CopyCommand {
        /** The pair's state before this establish: a first one copies every track, a stopped one is resumed. */
        private PairState was;

        @Option(names = "--unless-bcv-written", description = "establish only if no host wrote to the BCV since the"
                + " split; else refuse (exit 1) and change nothing, without asking")
        boolean unlessBcvWritten;

        @Override
        void checkOptions() {
            Confirm.notBoth(yes, unlessBcvWritten, "--unless-bcv-written", "overwrite the BCV's writes since the split");
        }

        /**
         * An establish of a Split pair ends the BCV's point-in-time image; that alone is what establish is
         * for (a script's daily one), so it is asked about only when hosts wrote to the BCV since the
         * split: those writes exist nowhere else. A pair's first establish overwrites the whole BCV, whose
         * data before the pair was made nobody tracked: it is asked about too, as the app asks. A refused
         * one is said before the question.
         */
        @Override
        CopyConsequence overwrites(org.splitpoint.engine.pool.Pool pool) throws Exception {
            if (unlessBcvWritten) {
                return null; // nothing to ask: the engine refuses if the BCV was written
            }
            PairAdmin.PairView p = pool.pairs().query(name).get(0);
            if (p.state() != PairState.Split && p.state() != PairState.NeverEstab) {
                return null;
            }
            org.splitpoint.engine.pool.Refusal.check(org.splitpoint.engine.pool.PairRules.establish(p));
            if (p.state() == PairState.NeverEstab) {
                // what the BCV held before the pair was made was never tracked: all of it goes, as the app asks
                return CopyConsequence.firstEstablish(p, pool.volume(p.bcv()).size());
            }
            if (!org.splitpoint.engine.pool.PairRules.establishLosesBcvWrites(p)) {
                return null; // the app's rule too: one click there, no question here
            }
            return CopyConsequence.establish(p, pool.pairs().get(name).changes(), pool.volume(p.bcv()).size(), full);
        }

        /**
         * Agreed or not, the engine checks the BCV's writes as the copy starts: one that found none when it
         * looked (nothing asked on a terminal) is refused if a host wrote the BCV since, as the app's one click.
         */
        @Override
        Job start(org.splitpoint.engine.pool.Pool pool, long limit, boolean agreed) throws Exception {
            was = pool.pairs().get(name).state();
            return pool.pairs().establish(name, full, limit, agreed && !unlessBcvWritten
                    ? org.splitpoint.engine.pool.BcvWrites.MAY_BE_OVERWRITTEN : org.splitpoint.engine.pool.BcvWrites.REFUSE_IF_ANY);
        }

        @Override
        String started(Job job) {
            return "establish of " + name + " started: " + tracks(job.progress().totalTracks()) + " to copy"
                    + (was == PairState.SyncInProg ? " (resumed)"
                    : full ? " (full)" : was == PairState.NeverEstab ? " (full: its first establish)" : " (incremental)");
        }
    }

    @Command(name = "split", description = "Split one or more pairs at one instant (consistent across them).")
    static final class SplitPairs extends OnPool {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "PAIR",
                description = "the pairs to split at one instant")
        List<String> names;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                long start = System.nanoTime();
                pool.pairs().split(names);
                // a pair named twice is split once, and said once
                out().printf("split %s in %.1f ms%n", String.join(", ", new java.util.LinkedHashSet<>(names)),
                        (System.nanoTime() - start) / 1e6);
                return 0;
            });
        }
    }

    @Command(name = "restore", description = {"Copy BCV → STD (incremental unless --full); reads are served on demand meanwhile.",
            "It overwrites the STD's tracks changed since the split (all of them with --full), which cannot be undone:"
                    + " on a terminal it asks for the STD's name (or --yes); a script's restore goes on and says on stderr"
                    + " what it overwrites. A pair already RestInProg is not asked about again. One that asked nothing"
                    + " (no track changed on either side) is refused (exit 1) if a host writes to the STD before it starts."})
    static final class Restore extends CopyCommand {
        @Option(names = "--protect", description = "keep the BCV split and unchanged, to restore from again later")
        boolean protect;

        @Option(names = "--unless-std-written", description = "restore only if no host wrote to the STD since the"
                + " split; else refuse (exit 1) and change nothing, without asking")
        boolean unlessStdWritten;

        @Override
        void checkOptions() {
            Confirm.notBoth(yes, unlessStdWritten, "--unless-std-written", "overwrite the STD's writes since the split");
        }

        /**
         * A new restore overwrites the STD, the volume hosts use, with the BCV's image: what was written
         * to it since the split is lost. The CLI's began at once, also for a hand that meant another
         * pair; snapshot and backup restores, whose contract lines came with --yes, keep theirs. A
         * RestInProg pair resumes a restore already confirmed; a refused one is said before the question.
         */
        @Override
        CopyConsequence overwrites(org.splitpoint.engine.pool.Pool pool) throws Exception {
            if (unlessStdWritten) {
                return null; // nothing to ask: the engine refuses if the STD was written
            }
            PairAdmin.PairView p = pool.pairs().query(name).get(0);
            if (p.state() != PairState.Split) {
                return null; // the engine refuses the other states with their own sentence
            }
            org.splitpoint.engine.pool.Refusal.check(org.splitpoint.engine.pool.PairRules.restore(p));
            var changes = pool.pairs().get(name).changes();
            if (!full && changes.either() == 0) {
                return null; // nothing changed on either side since the split: nothing is overwritten
            }
            return CopyConsequence.restore(p, changes, pool.volume(p.std()).size(), full, protect);
        }

        /**
         * Agreed or not, the engine checks the STD's writes as the copy starts: one that found no track changed
         * when it looked (nothing asked on a terminal) is refused if a host wrote the STD since; a host's write
         * to the BCV meanwhile is what the restore copies, and refuses nothing.
         */
        @Override
        Job start(org.splitpoint.engine.pool.Pool pool, long limit, boolean agreed) throws Exception {
            return pool.pairs().restore(name, full, protect, limit, agreed && !unlessStdWritten
                    ? org.splitpoint.engine.pool.StdWrites.MAY_BE_OVERWRITTEN : org.splitpoint.engine.pool.StdWrites.REFUSE_IF_ANY);
        }

        @Override
        String started(Job job) {
            return "restore of " + name + " started: " + tracks(job.progress().totalTracks()) + " to restore"
                    + (full ? " (full)" : " (incremental)") + (protect ? ", BCV protected" : "");
        }
    }

    /**
     * The STATE column: the recorded state, and a FAILED side beside it. The engine keeps the state
     * when a side's drives fail, and "Synchronized" alone read as if the sides were in sync.
     */
    static String stateText(PairAdmin.PairView v) {
        String side = v.failedSide();
        return v.state().name() + (side == null ? "" : ", " + side + " FAILED") + (v.isProtected() ? " (protected)" : "");
    }

    @Command(name = "query", description = "Show pairs as symmir query does: invalid tracks each side, state, progress.")
    static final class Query extends OnPool {
        @Parameters(index = "1", arity = "0..1", paramLabel = "PAIR",
                description = "one pair (default: every pair)")
        String name;
        @Option(names = "--json", description = "print one JSON document")
        boolean json;
        @Option(names = "--tracks", description = "also list the tracks by state (restored, to copy, invalid: claim 10)")
        boolean tracks;

        @Override
        public Integer call() throws Exception {
            var out = out();
            return PoolSession.look(dir, err(), pool -> {
                List<PairAdmin.PairView> views = pool.pairs().query(name);
                if (json) {
                    var arr = Json.MAPPER.createArrayNode();
                    for (PairAdmin.PairView v : views) {
                        var n = Json.pair(v);
                        if (tracks) {
                            var runs = n.putArray("tracks");
                            for (TrackMap.Run r : pool.pairs().get(v.name()).trackMap().runs()) {
                                runs.addObject().put("from", r.from()).put("to", r.to() - 1).put("state", r.state().name());
                            }
                        }
                        arr.add(n);
                    }
                    Json.print(out, arr);
                    return 0;
                }
                if (views.isEmpty()) {
                    out.println("no pairs");
                    return 0;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"PAIR", "STANDARD", "BCV", "STD INV", "BCV INV", "STATE", "PROGRESS", "SPLIT AT"});
                for (PairAdmin.PairView v : views) {
                    rows.add(new String[] {v.name(), v.std(), v.bcv(), String.valueOf(v.stdInvalidTracks()),
                            String.valueOf(v.bcvInvalidTracks()), stateText(v),
                            v.job() == null ? "" : v.job().line(), v.splitAt() == null ? "-" : v.splitAt()});
                }
                Tables.print(out, rows);
                out.println();
                out.println("tracks of " + (views.get(0).trackSize() / 1024) + " KiB; invalid = changed since the split"
                        + " (while copying: still to copy)");
                // as 'job list' says it: a PROGRESS of "starting" read as a copy under way, though none ran
                java.util.Set<String> shown = new java.util.HashSet<>();
                views.forEach(v -> {
                    if (v.job() != null) {
                        shown.add(v.job().id());
                    }
                });
                if (JobCommand.waitingForAHolder(pool.jobs().stream().filter(j -> shown.contains(j.id())).toList())) {
                    out.println(JobCommand.WAITING_FOR_A_HOLDER);
                }
                for (PairAdmin.PairView v : views) {
                    if (v.failedSide() != null) {
                        out.println("pair " + v.name() + ": " + v.failedSideMeaning()
                                + "; establish and restore are refused until its drives are replaced");
                    }
                }
                if (tracks) {
                    for (PairAdmin.PairView v : views) {
                        out.println();
                        out.println("tracks of " + v.name() + ":");
                        for (TrackMap.Run r : pool.pairs().get(v.name()).trackMap().runs()) {
                            out.printf("  %d-%d  %s%n", r.from(), r.to() - 1, r.state());
                        }
                    }
                }
                return 0;
            });
        }
    }
}
