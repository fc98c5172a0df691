package org.splitpoint.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.ThinProvisioning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code splitpoint pool create|status}. */
@Command(name = "pool", description = "Create a pool or show its status.",
        subcommands = {PoolCommand.Create.class, PoolCommand.Status.class})
final class PoolCommand {

    @Command(name = "create", description = "Create a pool of blank drives in a new or empty directory.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "POOL", description = "pool directory")
        Path dir;
        @Option(names = "--drives", required = true, paramLabel = "N", description = "number of drives")
        int drives;
        @Option(names = "--drive-size", required = true, paramLabel = "SIZE", description = "size of each drive (K, M, G, T)")
        String driveSize;
        @Option(names = "--track-size", paramLabel = "SIZE", defaultValue = "64K",
                description = "unit of change tracking, a power of two from 4K to 1G (default ${DEFAULT-VALUE})")
        String trackSize;

        @Override
        public Integer call() throws Exception {
            long ds = Sizes.parse(driveSize);
            long ts = Sizes.parse(trackSize);
            if (ts > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("track size must be a power of two from 4K to 1G, not " + trackSize);
            }
            // resolved as every other command's paths are: '' (an unset shell variable) is refused in a sentence; it
            // reached the engine as no path at all ('the file system refused (Cannot invoke ...)') or as the
            // directory the command ran in ("'' is not empty")
            Path at = CliContext.current().resolve(dir);
            // sparse images take nothing until written: a pool larger than its file system is made, as
            // thin provisioning may be meant, but said on stderr (no question: scripts create pools)
            ThinProvisioning thin = ThinProvisioning.newDrives(drives, ds, ThinProvisioning.freeSpace(at));
            Pool.create(at, drives, ds, (int) ts, StorageFactory.real());
            if (thin.thin()) {
                spec.commandLine().getErr().println("warning: " + thin.sentence());
            }
            spec.commandLine().getOut().println("created pool " + dir + ": " + drives + " drives of "
                    + Sizes.format(ds) + ", track size " + Sizes.format(ts));
            return 0;
        }
    }

    @Command(name = "status", description = "Show drives, volumes, jobs and health.")
    static final class Status extends OnPool {
        @Option(names = "--json", description = "print one JSON document")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = out();
            return PoolSession.look(dir, err(), pool -> {
                PoolSnapshot s = pool.snapshot();
                List<String> unfinishedBackups = pool.backups().unfinished();
                ThinProvisioning provisioned = ThinProvisioning.pool(s, ThinProvisioning.freeSpace(pool.dir()));
                if (json) {
                    var doc = Json.status(s);
                    doc.put("provisionedBytes", provisioned.total());
                    doc.put("fileSystemFreeBytes", provisioned.free()); // -1: could not be read
                    unfinishedBackups.forEach(doc.putArray("unfinishedBackups")::add);
                    Json.print(out, doc);
                    return 0;
                }
                out.println("pool " + s.path() + "  health " + s.health() + "  track size " + Sizes.format(s.trackSize()));
                out.println(provisioned.provisionedLine());
                if (CliContext.current().resident() == pool) {
                    // a holder's pool: the problems it has now (a pool this command opened has them
                    // said by PoolSession, after the command's output)
                    s.problems().forEach(p -> out.println("problem: " + p));
                }
                s.warnings().forEach(w -> out.println("warning: " + w));
                out.println();
                Tables.drives(out, s);
                out.println();
                if (s.volumes().isEmpty()) {
                    out.println("no volumes");
                } else {
                    Tables.volumes(out, s);
                    for (PoolSnapshot.VolumeView v : s.volumes()) {
                        if (s.restoreStopped(v)) { // why the health says WARNING
                            // the line names the reason the copy gave; 'job list' only when none is known here
                            boolean known = v.restore().waiting() != null || v.restore().copyStopped() != null;
                            out.println(s.restoreStoppedLine(v) + (known ? "; " : "; 'job list' says why, ") + "'job cancel "
                                    + s.path() + " " + org.splitpoint.engine.pool.RestoreAdmin.restoreJobId(v.name()) + "' ends it");
                        }
                    }
                }
                // a backup killed in the foreground left an image in its store: said here, not only by 'backup list'
                unfinishedBackups.forEach(out::println);
                if (s.saveArea() != null) {
                    out.println();
                    out.println(SnapshotCommand.describe(s.saveArea()) + "; " + Sizes.count(s.snapshots().size(), "snapshot")
                            + (s.snapshots().stream().anyMatch(i -> !i.state().equals("valid")) ? " (some invalid: see"
                            + " 'snapshot list')" : ""));
                }
                for (var r : s.snapshotRestores()) {
                    out.println("volume " + r.volume() + " is being restored to " + r.source() + "@" + r.snapshot() + ": "
                            + Sizes.count(r.owedTracks(), "track") + " of " + r.totalTracks() + " still to copy back, "
                            + r.onDemandFetches() + " reads answered from the snapshot");
                }
                if (!s.jobs().isEmpty()) {
                    out.println();
                    s.jobs().forEach(j -> out.println("job " + j.id() + ": " + j.line()));
                    // after a holder's crash its jobs are listed at 0.0 MB/s: say that they wait, not that they hang
                    if (JobCommand.waitingForAHolder(pool.jobs())) {
                        out.println(JobCommand.WAITING_FOR_A_HOLDER);
                    }
                }
                return 0;
            });
        }
    }
}
