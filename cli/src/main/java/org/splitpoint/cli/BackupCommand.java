package org.splitpoint.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.splitpoint.engine.backup.BackupException;
import org.splitpoint.engine.backup.ChainVerify;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.BackupAdmin;
import org.splitpoint.engine.pool.ImagesInUse;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.VolumeData;
import org.splitpoint.engine.pool.VolumeState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code splitpoint backup create|list|verify|delete|restore} (seed 002): full and incremental
 * images of volumes in a store directory outside the pool, and instant restore from them.
 */
@Command(name = "backup", description = "Back volumes up to a store, list, verify or delete images, restore instantly.",
        subcommands = {BackupCommand.Create.class, BackupCommand.ListImages.class, BackupCommand.Verify.class,
                BackupCommand.Delete.class, BackupCommand.Restore.class})
final class BackupCommand {

    private BackupCommand() {
    }

    @Command(name = "create", description = "Back a volume up into a store: incremental on its last backup, or --full.",
            footer = {"", "The image is the volume as it was when the command started: a write meanwhile first copies the"
                    + " old bytes of its tracks into the image; with --from-snapshot, the volume as the snapshot shows it"
                    + " (the image carries the snapshot's time). The store is created when DIR is new or empty.",
                    "", "A write is never refused, nor held for long, because of a backup: when the copy of its track's"
                    + " old bytes fails, or the store does not answer within 30 s (the Java system property"
                    + " splitpoint.backupStoreTimeoutMillis of the process running the backup), the backup fails, saying"
                    + " which track and why, and the write goes on."})
    static final class Create extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the volume to back up")
        String volume;
        @Option(names = "--store", required = true, paramLabel = "DIR", description = "the backup store directory")
        Path store;
        @Option(names = "--full", description = "copy every track (starts a new chain); default: the tracks changed since"
                + " the volume's last backup")
        boolean full;
        @Option(names = "--from-snapshot", paramLabel = "NAME", description = "back up the volume as its snapshot NAME"
                + " shows it, not as it is now; an incremental one builds on the last backup only if that was made"
                + " before the snapshot was taken")
        String fromSnapshot;
        @Option(names = "--throttle", paramLabel = "MB/s", converter = RateArgument.class, description = "limit the copy to this rate (0 = unlimited)")
        Double throttle;
        @Option(names = "--no-wait", description = "return at once (only while serve or the app holds the pool: a backup"
                + " runs in the process that holds it and is not resumed after that process ends)")
        boolean noWait;

        @Override
        public Integer call() throws Exception {
            long limit = throttle == null ? 0 : PairCommand.rateBytes(throttle);
            Path dirStore = CliContext.current().resolve(store);
            return PoolSession.with(dir, err(), pool -> {
                if (noWait && CliContext.current().resident() == null) {
                    throw new IllegalArgumentException("--no-wait needs the pool held by serve or the app: a backup runs"
                            + " in the process that holds the pool and is not resumed after it ends");
                }
                Job job = pool.backups().backup(volume, dirStore, full, limit, fromSnapshot);
                out().println("backup of " + volume + (fromSnapshot == null ? "" : " as of snapshot " + volume + "@"
                        + fromSnapshot) + " started: " + BackupAdmin.startCount(Sizes.count(job.progress().totalTracks(),
                        "track"), full) + " into " + dirStore + "; job " + job.id());
                return noWait ? 0 : WaitCommand.awaitJobs(pool, err(), List.of(job));
            });
        }
    }

    @Command(name = "list", description = "List a store's images: id, volume, time created, kind, parent, tracks, bytes; --json adds each image's SHA-256.")
    static final class ListImages implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "DIR", description = "the backup store directory")
        Path store;
        @Option(names = "--json", description = "print one JSON document")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            DirectoryStore s = DirectoryStore.open(CliContext.current().resolve(store), StorageFactory.real(), false);
            DirectoryStore.Contents contents = s.contents();
            List<ImageInfo> images = contents.images();
            List<String> unfinished = s.unfinished();
            Map<String, String> damaged = contents.damaged();
            if (json) {
                damaged.forEach((id, why) -> spec.commandLine().getErr().println("splitpoint: not listed: " + why));
                var arr = Json.MAPPER.createArrayNode();
                for (ImageInfo i : images) {
                    arr.addObject().put("id", i.id()).put("volume", i.volume()).put("createdAt", i.createdAt())
                            .put("parent", i.parent()).put("kind", i.kind().word()).put("tracks", i.tracks())
                            .put("bytes", i.dataBytes()).put("size", i.size()).put("trackSize", i.trackSize())
                            .put("sha256", i.dataSha256());
                }
                Json.print(out, arr);
                return 0;
            }
            if (images.isEmpty()) {
                out.println("no images in " + s.describe());
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ID", "VOLUME", "CREATED", "KIND", "PARENT", "TRACKS", "BYTES"});
                for (ImageInfo i : images) {
                    rows.add(new String[] {i.id(), i.volume(), i.createdAt(), i.kind().word(),
                            i.parent() == null ? "-" : i.parent(), String.valueOf(i.tracks()), Sizes.format(i.dataBytes())});
                }
                Tables.print(out, rows);
            }
            Map<String, String> inUse = unfinished.isEmpty() ? Map.of() : ImagesInUse.of(s);
            for (String u : unfinished) {
                String writer = inUse.containsKey(u) ? null : s.writer(u);
                out.println(inUse.containsKey(u) ? "unfinished, being written (" + inUse.get(u) + "): " + u
                        : DirectoryStore.isCleanUp(writer) ? "unfinished, being removed now (" + writer + "): " + u
                        : writer != null ? "unfinished, being written now (a backup in " + writer + "): " + u
                        : "unfinished (not an image; 'backup delete' removes it): " + u);
            }
            for (var d : damaged.entrySet()) {
                out.println("DAMAGED (cannot be read or restored; 'backup delete' removes it): " + d.getKey() + ": "
                        + d.getValue());
            }
            return damaged.isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "verify", description = "Re-read images and check every SHA-256 (all images, or one).")
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "DIR",
                description = "the backup store")
        Path store;
        @Parameters(index = "1", arity = "0..1", paramLabel = "ID",
                description = "one image's id (default: every image)")
        String id;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            DirectoryStore s = DirectoryStore.open(CliContext.current().resolve(store), StorageFactory.real(), false);
            List<String> ids = new ArrayList<>();
            int bad = 0;
            DirectoryStore.Contents contents = s.contents();
            Map<String, String> damaged = id == null ? contents.damaged() : Map.of();
            if (id != null) {
                // a mistyped id is no damaged image: it said 'nope: DAMAGED: no image ...' and '1 of 1 images
                // failed verification', as if the store had lost one
                if (contents.images().stream().noneMatch(i -> i.id().equals(id)) && !contents.damaged().containsKey(id)) {
                    throw new BackupException("no image '" + id + "' in the backup store " + s.describe()
                            + (s.unfinished().contains(id) ? " (it is unfinished: a backup still writes it, or one that"
                            + " stopped left it; only a sealed image is verified)" : ""));
                }
                ids.add(id);
            } else {
                contents.images().forEach(i -> ids.add(i.id()));
                for (var d : damaged.entrySet()) { // their manifest cannot be read: nothing to verify against
                    out.println(d.getKey() + ": DAMAGED: " + d.getValue());
                    bad++;
                }
            }
            ProgressLine line = new ProgressLine(err);
            ChainVerify chains = new ChainVerify(s);
            ImageVerifyLine text = new ImageVerifyLine(System::nanoTime);
            for (String x : ids) {
                // an image is restorable only with its chain: an incremental whose parent is damaged is not "ok"
                ChainVerify.Verdict v = chains.verify(x, (image, done, total) -> line.show(text.text(image, done, total)));
                line.done(null);
                if (v.ok()) {
                    out.println(x + ": ok (" + Sizes.count(v.info().tracks(), "track") + ", "
                            + Sizes.format(v.info().dataBytes()) + ")");
                } else {
                    out.println(x + ": " + v.sentence());
                    bad++;
                }
            }
            if (bad > 0) {
                int all = ids.size() + damaged.size();
                err.println("splitpoint: " + bad + " of " + all + " images failed verification (damaged, or a chain they need is)");
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete an image (refused while a later incremental builds on it, unless --chain).")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "DIR",
                description = "the backup store")
        Path store;
        @Parameters(index = "1", paramLabel = "ID",
                description = "the image to delete")
        String id;
        @Option(names = "--chain", description = "also delete the incremental images that build on it")
        boolean chain;
        @Option(names = "--yes", description = "confirm without being asked (needed when stdin is not a terminal)")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            DirectoryStore s = DirectoryStore.open(CliContext.current().resolve(store), StorageFactory.real(), false);
            DirectoryStore.Contents contents = s.contents();
            List<ImageInfo> images = contents.images();
            Map<String, String> inUse = ImagesInUse.of(s);
            if (s.unfinished().contains(id)) {
                refuseInUse(inUse, id);
                s.delete(id);
                out.println("deleted the unfinished image " + id);
                return 0;
            }
            String damage = contents.damaged().get(id);
            if (damage != null) { // no manifest to read: no chain to know; what builds on it is broken already
                refuseInUse(inUse, id);
                if (!yes && !Confirm.typed(spec.commandLine().getErr(), "deleting the damaged image " + id + " from "
                        + s.describe() + " cannot be undone (" + damage + ")", id, "nothing was deleted")) {
                    return 1;
                }
                s.delete(id);
                out.println("deleted the damaged image " + id);
                return 0;
            }
            if (images.stream().noneMatch(i -> i.id().equals(id))) {
                throw new BackupException("no image '" + id + "' in the backup store " + s.describe());
            }
            List<String> doomed = new ArrayList<>();
            dependents(images, id, doomed);
            if (!doomed.isEmpty() && !chain) {
                throw new Splitpoint.CommandFailed("image " + id + " is the parent of " + String.join(", ", doomed)
                        + "; deleting it would break their chain: delete those first, or add --chain to delete them too");
            }
            doomed.add(0, id);
            for (String d : doomed) {
                refuseInUse(inUse, d);
            }
            if (!yes && !Confirm.typed(spec.commandLine().getErr(), "deleting " + String.join(", ", doomed)
                    + " from " + s.describe() + " cannot be undone", id, "nothing was deleted")) {
                return 1;
            }
            for (int i = doomed.size() - 1; i >= 0; i--) { // children first: a chain is never left half-broken
                s.delete(doomed.get(i));
                out.println("deleted image " + doomed.get(i));
            }
            return 0;
        }

        /** Refuses to delete an image some pool needs now (a restore reads it, a journal builds on it). */
        private static void refuseInUse(Map<String, String> inUse, String id) {
            String why = inUse.get(id);
            if (why != null) {
                throw new Splitpoint.CommandFailed("image " + id + " is in use and was not deleted: " + why);
            }
        }

        private static void dependents(List<ImageInfo> images, String id, List<String> out) {
            for (ImageInfo i : images) {
                if (id.equals(i.parent()) && !out.contains(i.id())) {
                    out.add(i.id());
                    dependents(images, i.id(), out);
                }
            }
        }
    }

    @Command(name = "restore", description = "Restore a volume from a backup image; it is usable at once.",
            footer = {"", "Reads of tracks not yet restored are fetched from the backup (and written to the volume);"
                    + " writes go to the volume; a bulk copy fills the rest in the background, never over a track"
                    + " written or fetched meanwhile. A FAILED volume gets blank images for its lost drives first."
                    + " Overwriting a volume that is not FAILED asks for its name to be typed, or --yes; a FAILED one"
                    + " is restored without a question, and refused if it is no longer FAILED when the restore starts."})
    static final class Restore extends OnPool {
        @Parameters(index = "1", paramLabel = "VOLUME",
                description = "the volume to restore: what it holds now is replaced")
        String volume;
        @Option(names = "--store", required = true, paramLabel = "DIR",
                description = "the backup store holding the image")
        Path store;
        @Option(names = "--at", paramLabel = "ID", description = "the image to restore (default: the volume's newest)")
        String at;
        @Option(names = "--write-through", description = "also write what hosts write meanwhile into a new incremental image")
        boolean writeThrough;
        @Option(names = "--bulk-throttle", paramLabel = "MB/s", converter = RateArgument.class, description = "limit the background copy (0 = unlimited)")
        Double bulkThrottle;
        @Option(names = "--no-wait", description = "return at once; the restore goes on whenever a process holds the pool")
        boolean noWait;
        @Option(names = "--yes", description = "confirm overwriting the volume without being asked")
        boolean yes;
        @Option(names = "--only-if-failed", description = "restore only if the volume is FAILED (nothing readable to"
                + " lose); else refuse (exit 1) and change nothing, without asking")
        boolean onlyIfFailed;

        @Override
        public Integer call() throws Exception {
            Confirm.notBoth(yes, onlyIfFailed, "--only-if-failed", "replace what the volume holds");
            long limit = bulkThrottle == null ? 0 : PairCommand.rateBytes(bulkThrottle);
            Path dirStore = CliContext.current().resolve(store);
            return PoolSession.with(dir, err(), pool -> {
                // a restore that would be refused is said before the question, not after the --yes
                pool.instantRestores().checkRestore(volume, dirStore, at);
                String risk = pool.snapshot().overwriteRisksSnapshots(volume);
                if (risk != null) {
                    err().println("splitpoint: warning: " + risk);
                }
                // a FAILED volume holds nothing readable: nothing is asked, and the engine refuses the
                // restore if the volume is no longer FAILED when it starts (never replaced unasked)
                VolumeData consent = yes ? VolumeData.MAY_BE_REPLACED
                        : onlyIfFailed || pool.volume(volume).state() == VolumeState.FAILED ? VolumeData.ONLY_IF_FAILED
                        : null;
                if (consent == null) {
                    if (!Confirm.typed(err(), "restoring " + volume + " replaces all its data ("
                            + Sizes.format(pool.volume(volume).size()) + ") with the backup's", volume, volume + " was not restored")) {
                        return 1;
                    }
                    consent = VolumeData.MAY_BE_REPLACED;
                }
                Job job = pool.instantRestores().restore(volume, dirStore, at, writeThrough, limit, consent);
                var r = pool.instantRestores().restoreOf(volume);
                out().println("restore of " + volume + " from image " + r.chain().target().id() + " started: the volume is"
                        + " usable now; " + Sizes.count(job.progress().totalTracks(), "track") + " to copy in the background; job " + job.id());
                return noWait ? 0 : WaitCommand.awaitJobs(pool, err(), List.of(job));
            });
        }
    }

}
