package org.splitpoint.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.SnapshotAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code splitpoint snapshot save-area|create|list|delete|restore}: point-in-time snapshots of volumes. */
@Command(name = "snapshot", description = "Point-in-time snapshots of volumes: save area, create, list, delete, restore.",
        subcommands = {SnapshotCommand.SaveArea.class, SnapshotCommand.Create.class, SnapshotCommand.ListSnapshots.class,
                SnapshotCommand.Delete.class, SnapshotCommand.Restore.class})
final class SnapshotCommand {

    private SnapshotCommand() {
    }

    @Command(name = "save-area", description = {"Make a volume the save area, where snapshots keep the tracks they save.",
            "Its contents are given over to the snapshots; hosts can no longer write it."})
    static final class SaveArea extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME", arity = "0..1",
                description = "the volume to make the save area (none: show the save area)")
        String volume;
        @Option(names = "--yes", description = "confirm without being asked (needed when stdin is not a terminal)")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            if (volume == null) {
                return PoolSession.look(dir, err(), pool -> {
                    SnapshotAdmin.SaveAreaInfo a = pool.snapshots().saveArea();
                    out().println(a == null ? "no save area; designate one with 'snapshot save-area POOL VOLUME'"
                            : describe(a));
                    return 0;
                });
            }
            return PoolSession.with(dir, err(), pool -> {
                pool.volume(volume);
                if (!yes && !Confirm.typed(err(), "volume " + volume + "'s contents will be given over to snapshots' saved"
                        + " tracks, and hosts will no longer be able to write it", volume, "nothing was changed")) {
                    return 1;
                }
                out().println(describe(pool.snapshots().setSaveArea(volume)));
                return 0;
            });
        }
    }

    static String describe(SnapshotAdmin.SaveAreaInfo a) {
        return "save area " + a.volume() + ": " + Sizes.format(a.usedBytes()) + " of " + Sizes.format(a.bytes())
                + " used (" + String.format("%.1f", a.percentUsed()) + "%, " + a.usedSlots() + " of " + Sizes.count(a.slots(), "track")
                + ")";
    }

    @Command(name = "create", description = {"Take a snapshot now: 'create POOL VOLUME NAME', or of several volumes at one"
            + " instant: 'create POOL V1 V2 ... --name NAME'."})
    static final class Create extends OnPool {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "VOLUME",
                description = "VOLUME NAME, or several volumes with --name")
        List<String> args;
        @Option(names = "--name", paramLabel = "NAME", description = "the snapshot's name (with several volumes)")
        String name;

        @Override
        public Integer call() throws Exception {
            List<String> volumes = new ArrayList<>(args);
            String n = name;
            if (n == null) {
                if (volumes.size() != 2) {
                    throw new IllegalArgumentException("name the snapshot: 'snapshot create POOL VOLUME NAME', or"
                            + " 'snapshot create POOL V1 V2 ... --name NAME' for several volumes at one instant");
                }
                n = volumes.remove(1);
            }
            String snapName = n;
            return PoolSession.with(dir, err(), pool -> {
                long t0 = System.nanoTime();
                pool.snapshots().create(volumes, snapName);
                double ms = (System.nanoTime() - t0) / 1e6;
                out().printf("took snapshot %s of %s in %.1f ms%n", snapName, String.join(", ", volumes), ms);
                String risk = pool.snapshot().newSnapshotAtRisk(volumes, snapName);
                if (risk != null) {
                    err().println("splitpoint: warning: " + risk);
                }
                return 0;
            });
        }
    }

    @Command(name = "list", description = "List snapshots: name, volume, time, tracks and bytes held, state.")
    static final class ListSnapshots extends OnPool {
        @Parameters(index = "1", arity = "0..1", paramLabel = "VOLUME",
                description = "only this volume's snapshots (default: every volume's)")
        String volume;
        @Option(names = "--json", description = "print one JSON document")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = out();
            return PoolSession.look(dir, err(), pool -> {
                List<SnapshotAdmin.Info> list = pool.snapshots().list(volume);
                SnapshotAdmin.SaveAreaInfo area = pool.snapshots().saveArea();
                if (json) {
                    var arr = Json.MAPPER.createArrayNode();
                    for (SnapshotAdmin.Info i : list) {
                        arr.add(Json.snapshot(i));
                    }
                    Json.print(out, arr);
                    return 0;
                }
                if (list.isEmpty()) {
                    out.println(volume == null ? "no snapshots" : "no snapshots of " + volume);
                } else {
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[] {"NAME", "VOLUME", "TAKEN", "AGE", "TRACKS HELD", "BYTES HELD", "STATE"});
                    for (SnapshotAdmin.Info i : list) {
                        rows.add(new String[] {i.name(), i.volume(), i.createdAt().replaceFirst("\\.\\d+Z$", "Z"), age(i.createdAt()),
                                String.valueOf(i.tracksHeld()), Sizes.format(i.bytesHeld()),
                                i.state() + (i.why() == null ? "" : ": " + i.why()) + (i.restoring() ? " (restoring from it)" : "")});
                    }
                    Tables.print(out, rows);
                }
                if (area != null) {
                    out.println();
                    out.println(describe(area));
                }
                return 0;
            });
        }
    }

    /** "3 min", "2 h 5 min", "4 d". */
    static String age(String iso) {
        try {
            Duration d = Duration.between(Instant.parse(iso), Instant.now());
            long s = Math.max(0, d.getSeconds());
            if (s < 60) {
                return s + " s";
            }
            if (s < 3600) {
                return (s / 60) + " min";
            }
            if (s < 86400) {
                return (s / 3600) + " h " + (s % 3600 / 60) + " min";
            }
            return (s / 86400) + " d";
        } catch (RuntimeException e) {
            return "?";
        }
    }

    @Command(name = "delete", description = "Delete a snapshot; the tracks no other snapshot needs go back to the save area.")
    static final class Delete extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the snapshot's volume")
        String volume;
        @Parameters(index = "2", paramLabel = "NAME",
                description = "the snapshot to delete")
        String name;
        @Option(names = "--yes", description = "confirm without being asked (needed when stdin is not a terminal)")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                SnapshotAdmin.Info i = pool.snapshots().get(volume, name);
                if (!yes && !Confirm.typed(err(), "deleting snapshot " + i.ref() + " (taken " + i.createdAt() + ") cannot be"
                        + " undone", name, "nothing was deleted")) {
                    return 1;
                }
                SnapshotAdmin.Info gone = pool.snapshots().delete(volume, name);
                out().println("deleted snapshot " + gone.ref() + "; the save area is now "
                        + describe(pool.snapshots().saveArea()).replaceFirst("^save area \\S+: ", ""));
                return 0;
            });
        }
    }

    @Command(name = "restore", description = {"Restore a volume to a snapshot: only the tracks changed since are copied back;"
            + " the volume is usable at once (reads of tracks not yet restored come from the snapshot).",
            "NAME is one of the volume's snapshots, or OTHER@NAME for another volume's of the same size. A safety snapshot"
                    + " of the volume as it is now is taken first unless --no-safety."})
    static final class Restore extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the volume to restore")
        String volume;
        @Parameters(index = "2", paramLabel = "NAME",
                description = "the snapshot to restore it to")
        String name;
        @Option(names = "--no-wait", description = "return at once; the copy continues whenever a process holds the pool")
        boolean noWait;
        @Option(names = "--throttle", paramLabel = "MB/s", converter = RateArgument.class, description = "limit the copy to this rate (0 = unlimited)")
        Double throttle;
        @Option(names = "--no-safety", description = "do not take a safety snapshot first (the restore cannot be undone)")
        boolean noSafety;
        @Option(names = "--yes", description = "confirm without being asked (needed when stdin is not a terminal)")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            long limit = throttle == null ? 0 : PairCommand.rateBytes(throttle);
            return PoolSession.with(dir, err(), pool -> {
                SnapshotAdmin.RestorePlan plan = pool.snapshots().plan(volume, name);
                String from = plan.source() + "@" + plan.snapshot();
                if (!noSafety && plan.safetyMayNotFit()) {
                    err().println("splitpoint: warning: the save area has room for " + Sizes.count(plan.freeSlots(), "track") + "; the"
                            + " safety snapshot may need " + plan.tracks() + ", and if the area fills it becomes invalid"
                            + " (the restore could then not be undone): delete snapshots first to be sure");
                }
                if (!yes && !Confirm.typed(err(), "restoring " + volume + " to " + from + " overwrites "
                        + Sizes.count(plan.tracks(), "track") + " (" + Sizes.format(plan.bytes()) + ") changed since"
                        + (noSafety ? ", and with --no-safety that cannot be undone" : " (a safety snapshot is taken first)"),
                        volume, "nothing was restored")) {
                    return 1;
                }
                Job job = pool.snapshots().restore(volume, name, !noSafety, limit);
                var rec = pool.snapshots().restoreRecordOf(volume);
                out().println("restore of " + volume + " to " + from + " started: " + Sizes.count(plan.tracks(), "track")
                        + " to copy back" + (rec != null && rec.safety() != null ? "; safety snapshot " + volume + "@"
                        + rec.safety() : ""));
                return noWait ? 0 : WaitCommand.awaitJobs(pool, err(), List.of(job));
            });
        }
    }
}
