package org.splitpoint.cli;

import java.nio.file.Path;
import java.util.List;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Durations;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.JournalRules;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code splitpoint volume journal enable|disable|ship|status} and {@code volume rebuild-from-backup}:
 * the staged backup journal (seed 003).
 */
@Command(name = "journal", description = "A second copy of every write on two drives outside the volume, shipped to a backup store.",
        subcommands = {JournalCommand.Enable.class, JournalCommand.Disable.class, JournalCommand.Ship.class,
                JournalCommand.Status.class})
final class JournalCommand {

    private JournalCommand() {
    }

    /** {@code option}'s duration in seconds ({@link Durations}); a refusal names the option. */
    static long seconds(String option, String text) {
        try {
            return Durations.seconds(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage());
        }
    }

    /** A size that must carry its unit (Sizes.parseWithUnit), refused with the option's name. */
    static long sizeWithUnit(String option, String text) {
        try {
            return Sizes.parseWithUnit(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage());
        }
    }

    @Command(name = "enable", description = "Journal every write of a volume on two SPARE drives; ship it into a store.",
            footer = {"", "A backup into the store starts at once: the journal builds on it. From then on every write is"
                    + " acknowledged only when both the volume and the journal hold it; the journal ships (an incremental"
                    + " image, verified) at --max-size, after --max-age, or on 'volume journal ship'."})
    static final class Enable extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the volume to journal")
        String volume;
        @Option(names = "--drives", required = true, paramLabel = "D1,D2", description = "two SPARE drives")
        List<String> drives;
        @Option(names = "--store", required = true, paramLabel = "DIR",
                description = "the backup store the journal ships into")
        Path store;
        @Option(names = "--max-size", paramLabel = "SIZE", description = "ship when the journal holds this much, with its unit: 512M, 2G"
                + " (default: half a drive)")
        String maxSize;
        @Option(names = "--max-age", paramLabel = "DURATION", description = "ship when the oldest entry is this old: 90s, 15m, 2h, 1d (a unit is needed)")
        String maxAge;
        @Option(names = "--no-wait", description = "return once the base backup started (only while serve or the app"
                + " holds the pool: the backup runs in that process)")
        boolean noWait;

        @Override
        public Integer call() throws Exception {
            List<String> names = NameList.parse("--drives", drives);
            long size = maxSize == null ? 0 : sizeWithUnit("--max-size", maxSize);
            long age = maxAge == null ? 0 : seconds("--max-age", maxAge);
            if (maxSize != null && size <= 0) {
                throw new IllegalArgumentException("--max-size must be larger than 0");
            }
            if (maxAge != null && age <= 0) {
                throw new IllegalArgumentException("--max-age must be longer than 0");
            }
            Path dirStore = CliContext.current().resolve(store);
            return PoolSession.with(dir, err(), pool -> {
                if (noWait && CliContext.current().resident() == null) {
                    throw new IllegalArgumentException("--no-wait needs the pool held by serve or the app: the journal's"
                            + " base backup runs in the process that holds the pool");
                }
                Job backup = pool.journals().enable(volume, names, dirStore, size, age);
                out().println("journal of " + volume + " enabled on " + String.join(" and ", names) + "; the backup it"
                        + " builds on is running (" + Sizes.count(backup.progress().totalTracks(), "track") + ")");
                return noWait ? 0 : WaitCommand.awaitJobs(pool, err(), List.of(backup));
            });
        }
    }

    @Command(name = "disable", description = "Stop journaling a volume; its journal drives become SPARE (asks for the"
            + " volume's name, or --yes).")
    static final class Disable extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the volume whose journal stops")
        String volume;
        @Option(names = "--yes", description = "confirm without being asked (needed when stdin is not a terminal)")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                // the journal's drives are wiped: entries not yet shipped are then in no backup, as the
                // app's typed confirmation says; asked only once the engine's rules would let it go ahead
                JournalAdmin.Status s = pool.journals().status(volume);
                Refusal.check(JournalRules.disable(pool.snapshot(), volume, s));
                if (!yes && !Confirm.typed(err(), disabling(s), volume, "the journal was not disabled")) {
                    return 1;
                }
                pool.journals().disable(volume);
                out().println("journal of " + volume + " disabled");
                return 0;
            });
        }
    }

    /** What disabling drops, in one sentence: the app's confirmation says the same. */
    static String disabling(JournalAdmin.Status s) {
        String what = "disabling the journal of " + s.volume() + " drops what " + String.join(" and ", s.drives()) + " hold";
        if (s.entries() == 0) {
            return what;
        }
        return what + ": its " + Sizes.count(s.entries(), "entry") + " (" + Sizes.format(s.bytes())
                + ") not yet shipped to " + s.store() + " are then in no backup ('volume journal ship' first keeps them)";
    }

    @Command(name = "ship", description = "Ship the journal into its store now (an incremental image, verified).")
    static final class Ship extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the journaled volume")
        String volume;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                Job job = pool.journals().ship(volume);
                out().println("shipping the journal of " + volume + ": " + Sizes.count(job.progress().totalTracks(), "track"));
                return WaitCommand.awaitJobs(pool, err(), List.of(job));
            });
        }
    }

    @Command(name = "status", description = "The journal: size, entries, oldest entry's age, last ship, next ship condition.")
    static final class Status extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the journaled volume")
        String volume;
        @Option(names = "--json", description = "print one JSON document")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = out();
            return PoolSession.look(dir, err(), pool -> {
                JournalAdmin.Status s = pool.journals().status(volume);
                if (json) {
                    var n = Json.MAPPER.createObjectNode();
                    n.put("volume", s.volume()).put("store", s.store()).put("base", s.base()).put("entries", s.entries())
                            .put("bytes", s.bytes()).put("capacity", s.capacity()).put("oldestAgeSeconds", s.oldestAgeSeconds())
                            .put("maxSize", s.maxSize()).put("maxAgeSeconds", s.maxAgeSeconds())
                            .put("lastShipAt", s.lastShipAt()).put("lastShipResult", s.lastShipResult())
                            .put("protecting", s.protecting()).put("unprotected", s.unprotected()).put("nextShip", s.nextShip())
                            // seconds until the next try of a base backup that failed (BaseRetry), null when none is due
                            .put("nextBaseTrySeconds", s.nextBaseTrySeconds())
                            // why it cannot ship into its store now (gone, or its due ship refused), null when nothing says so
                            .put("storeProblem", s.storeProblem());
                    var ships = n.putArray("ships");
                    for (var sh : s.recentShips()) {
                        ships.addObject().put("at", sh.at()).put("result", sh.result());
                    }
                    var d = n.putArray("drives");
                    for (int i = 0; i < s.drives().size(); i++) {
                        d.addObject().put("name", s.drives().get(i)).put("healthy", s.legsHealthy().get(i));
                    }
                    Json.print(out, n);
                    return 0;
                }
                out.println("journal of " + s.volume() + " on " + s.drives().get(0) + (s.legsHealthy().get(0) ? "" : " (FAILED)")
                        + " and " + s.drives().get(1) + (s.legsHealthy().get(1) ? "" : " (FAILED)") + ", store " + s.store());
                out.println("  " + (s.unprotected() ? "UNPROTECTED: both journal drives failed, writes are not journaled"
                        : s.protecting() ? "protecting the volume: it builds on image " + s.base()
                        : "not protecting yet: waiting for its first backup to complete"));
                out.println("  " + s.entries() + (s.entries() == 1 ? " entry, " : " entries, ") + Sizes.format(s.bytes())
                        + " of " + Sizes.format(s.capacity()) + (s.entries() > 0 ? ", oldest " + s.oldestAgeSeconds() + " s old" : ""));
                out.println("  last ship: " + (s.lastShipAt() == null ? "never" : s.lastShipAt() + ": " + s.lastShipResult()));
                out.println("  next ship: " + s.nextShip());
                if (s.storeProblem() != null) {
                    out.println("  cannot ship: " + s.storeProblem());
                }
                return 0;
            });
        }
    }

    @Command(name = "rebuild-from-backup", description = "Rebuild a volume FAILED beyond its redundancy from its journal's"
            + " base image plus the journal's entries.", footer = {"", "The lost drives get blank images (or the SPARE drives"
            + " --drives names take their places); the volume is usable at once (reads of tracks not yet rebuilt come from"
            + " the backup and the journal) and ends as of its last acknowledged write."})
    static final class Rebuild extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the FAILED volume to rebuild")
        String volume;
        @Option(names = "--drives", paramLabel = "D1,D2",
                description = "SPARE drives to take the lost drives' places, in the volume's order (default: blank images in place)")
        List<String> drives = List.of();
        @Option(names = "--throttle", paramLabel = "MB/s", converter = RateArgument.class, description = "limit the background copy (0 = unlimited)")
        Double throttle;
        @Option(names = "--no-wait", description = "return at once; the rebuild goes on whenever a process holds the pool")
        boolean noWait;
        @Option(names = "--preview", description = "print what the rebuild would use (lost drives, chain, journal"
                + " entries, bytes) and start nothing (the pool is opened read-only: nothing is recovered or written);"
                + " exit 1 with the reason when the volume cannot be rebuilt")
        boolean preview;
        @Option(names = "--json", description = "with --preview: print the preview as one JSON document")
        boolean json;

        @Override
        public Integer call() throws Exception {
            long limit = throttle == null ? 0 : PairCommand.rateBytes(throttle);
            List<String> spares = NameList.parse("--drives", drives);
            if (json && !preview) {
                throw new IllegalArgumentException("--json prints a --preview: add --preview (the rebuild itself says its"
                        + " plan in lines)");
            }
            if (preview) {
                // a preview starts nothing and changes nothing: a read-only open (no lock, no crash recovery, no file
                // written; its notes say what the rebuild's writable open will recover first)
                return PoolSession.look(dir, err(), pool -> {
                    JournalAdmin.RebuildPreview p = pool.journals().previewRebuild(volume);
                    if (json) {
                        Json.print(out(), p);
                    } else {
                        plan(p, List.of(), true);
                        out().println("nothing was started: the same command without --preview rebuilds it");
                    }
                    return 0;
                });
            }
            return PoolSession.with(dir, err(), pool -> {
                JournalAdmin.RebuildPreview p = pool.journals().previewRebuild(volume);
                // the plan is said once the engine took it: a refusal (a --drives that is no SPARE) says only why
                Job job = pool.journals().rebuildFromBackup(volume, spares, limit);
                plan(p, spares, false);
                out().println("rebuild of " + volume + " from its backup and journal started: the volume is usable now; "
                        + Sizes.count(job.progress().totalTracks(), "track") + " to copy; job " + job.id());
                return noWait ? 0 : WaitCommand.awaitJobs(pool, err(), List.of(job));
            });
        }

        /** The rebuild's three lines: what is lost, the chain it starts from, the entries and bytes on it. */
        private void plan(JournalAdmin.RebuildPreview p, List<String> replacements, boolean wouldBe) {
            out().println("volume " + volume + " is FAILED (" + p.reason() + "); lost: " + String.join(", ", p.lostDrives())
                    + (replacements.isEmpty() ? "" : " (replaced by " + String.join(", ", replacements) + ")"));
            out().println((wouldBe ? "  would rebuild from " : "  rebuilding from ") + String.join(" + ", p.chain())
                    + " in " + p.store());
            out().println("  plus " + Sizes.count(p.entries(), "journal entry") + " (" + Sizes.format(p.entryBytes()) + (p.oldestEntryMillis() < 0 ? "" : ", the oldest of "
                    + java.time.Instant.ofEpochMilli(p.oldestEntryMillis()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                    + (wouldBe ? "), then copy " : "), then copying ") + Sizes.format(p.bytes())
                    + (wouldBe ? " (" + Sizes.count(p.tracks(), "track") + ")" : ""));
        }
    }
}
