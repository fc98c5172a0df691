package org.splitpoint.app.bridge;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ./splitpoint} commands by which a holder carries out the app's actions while the app
 * is attached to it (see {@link HolderAction}), each a function of the pool's directory. Copies
 * are started with {@code --no-wait}: the holder runs them, the app follows their progress in the
 * stream, as it does for a pool it holds.
 */
public final class HolderCommands {

    private static final Pattern NUMBER = Pattern.compile("(\\d+)");
    private static final Pattern TRACKS = Pattern.compile("(\\d+) tracks?\\b");
    private static final Pattern ADDED = Pattern.compile("^added drive (\\S+) ", Pattern.MULTILINE);
    private static final Pattern JOB_ID = Pattern.compile("\\bjob ([\\w.@-]+)");
    private static final Pattern JOB_STATE = Pattern.compile("^job \\S+ is ([A-Z_]+)", Pattern.MULTILINE);

    private HolderCommands() {
    }

    /**
     * {@code pair establish POOL PAIR --no-wait [--full] [--throttle MB/s] --yes|--unless-bcv-written}; {@code limit}
     * bytes/s, -1 keeps the pair's. The app's answer travels with it: the BCV's name typed is {@code --yes}; one
     * click, over a BCV nobody had written, is {@code --unless-bcv-written}, so the holder refuses rather than
     * overwrite a host's write to the BCV since (off a terminal, a bare establish goes on over them, as a script's).
     */
    public static Function<String, List<String>> establish(String pair, boolean full, long limit,
                                                           org.splitpoint.engine.pool.BcvWrites bcvWrites) {
        return dir -> {
            List<String> a = copy("establish", dir, pair, full, false, limit);
            a.add(bcvWrites == org.splitpoint.engine.pool.BcvWrites.MAY_BE_OVERWRITTEN ? "--yes" : "--unless-bcv-written");
            return a;
        };
    }

    /**
     * {@code pair restore POOL PAIR --no-wait [--full] [--protect] [--throttle MB/s] --yes|--unless-std-written}: the
     * app's answer travels with it: the STD's name typed is {@code --yes}; a restore that asked nothing, no track
     * having changed on either side, is {@code --unless-std-written}, so the holder refuses rather than overwrite a
     * host's write to the STD since (off a terminal, a bare restore goes on over them, as a script's).
     */
    public static Function<String, List<String>> restore(String pair, boolean full, boolean protect, long limit,
                                                         org.splitpoint.engine.pool.StdWrites stdWrites) {
        return dir -> {
            List<String> a = copy("restore", dir, pair, full, protect, limit);
            a.add(stdWrites == org.splitpoint.engine.pool.StdWrites.MAY_BE_OVERWRITTEN ? "--yes" : "--unless-std-written");
            return a;
        };
    }

    private static List<String> copy(String verb, String dir, String pair, boolean full, boolean protect, long limit) {
        List<String> a = new ArrayList<>(List.of("pair", verb, dir, pair, "--no-wait"));
        if (full) {
            a.add("--full");
        }
        if (protect) {
            a.add("--protect");
        }
        if (limit >= 0) {
            a.add("--throttle");
            a.add(megabytes(limit));
        }
        return a;
    }

    /** {@code pair split POOL PAIR...}: one instant for all. */
    public static Function<String, List<String>> split(List<String> pairs) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("pair", "split", dir));
            a.addAll(pairs);
            return a;
        };
    }

    /** {@code job cancel POOL ID --yes}: the app asked its own confirmation first. */
    public static Function<String, List<String>> cancelJob(String id) {
        return dir -> List.of("job", "cancel", dir, id, "--yes");
    }

    /** {@code job pause|resume POOL ID}. */
    public static Function<String, List<String>> pauseJob(String id, boolean resume) {
        return dir -> List.of("job", resume ? "resume" : "pause", dir, id);
    }

    /** {@code job throttle POOL ID MB/s}; {@code bytesPerSecond} 0 is no limit. */
    public static Function<String, List<String>> throttleJob(String id, long bytesPerSecond) {
        return dir -> List.of("job", "throttle", dir, id, megabytes(bytesPerSecond));
    }

    /** {@code drive fail POOL DRIVE --yes}: the app asked for confirmation before (FailPlan). */
    public static Function<String, List<String>> failDrive(String drive) {
        return dir -> List.of("drive", "fail", dir, drive, "--yes");
    }

    /** {@code drive online POOL DRIVE --no-wait}: the resync runs in the holder. */
    public static Function<String, List<String>> onlineDrive(String drive) {
        return dir -> List.of("drive", "online", dir, drive, "--no-wait");
    }

    /** {@code drive offline POOL DRIVE --reason R --log M --no-wait}: the reason's steps run in the holder. */
    public static Function<String, List<String>> offlineDrive(String drive, String reason, String logMode) {
        return dir -> List.of("drive", "offline", dir, drive, "--reason", reason, "--log", logMode, "--no-wait");
    }

    /** {@code volume verify POOL VOLUME}: prints the mismatch count. */
    public static Function<String, List<String>> verifyVolume(String volume) {
        return verifyVolume(volume, false);
    }

    /** {@code volume verify POOL VOLUME [--repair]}: prints the mismatch count (rewritten ones with --repair). */
    public static Function<String, List<String>> verifyVolume(String volume, boolean repair) {
        return dir -> withFlag(List.of("volume", "verify", dir, volume), repair, "--repair");
    }

    /** {@code drive replace POOL DRIVE --no-wait [--throttle MB/s]}: a blank image, rebuilt in the holder. */
    public static Function<String, List<String>> replaceDrive(String drive, long limit) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("drive", "replace", dir, drive, "--no-wait"));
            if (limit > 0) {
                a.add("--throttle");
                a.add(megabytes(limit));
            }
            return a;
        };
    }

    /** {@code snapshot create POOL VOLUME NAME}. */
    public static Function<String, List<String>> createSnapshot(String volume, String name) {
        return dir -> List.of("snapshot", "create", dir, volume, name);
    }

    /** {@code snapshot delete POOL VOLUME NAME --yes}: the app asked its own confirmation first. */
    public static Function<String, List<String>> deleteSnapshot(String volume, String name) {
        return dir -> List.of("snapshot", "delete", dir, volume, name, "--yes");
    }

    /** {@code snapshot restore POOL VOLUME NAME --no-wait --yes [--no-safety] [--throttle MB/s]}. */
    public static Function<String, List<String>> restoreToSnapshot(String volume, String name, boolean safety, long limit) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("snapshot", "restore", dir, volume, name, "--no-wait", "--yes"));
            if (!safety) {
                a.add("--no-safety");
            }
            if (limit > 0) {
                a.add("--throttle");
                a.add(megabytes(limit));
            }
            return a;
        };
    }

    /** {@code snapshot save-area POOL VOLUME --yes}: the app asked its own confirmation first. */
    public static Function<String, List<String>> saveArea(String volume) {
        return dir -> List.of("snapshot", "save-area", dir, volume, "--yes");
    }

    /**
     * {@code volume journal enable POOL VOLUME --drives D1,D2 --store DIR --no-wait [--max-size BYTES]
     * [--max-age SECONDSs]}: the base backup runs in the holder; 0 keeps the engine's default.
     */
    public static Function<String, List<String>> enableJournal(String volume, List<String> drives, java.nio.file.Path store,
                                                               long maxBytes, long maxAgeSeconds) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("volume", "journal", "enable", dir, volume, "--drives",
                    String.join(",", drives), "--store", store.toString(), "--no-wait"));
            if (maxBytes > 0) {
                a.add("--max-size");
                a.add(Long.toString(maxBytes));
            }
            if (maxAgeSeconds > 0) {
                a.add("--max-age");
                a.add(maxAgeSeconds + "s");
            }
            return a;
        };
    }

    /** {@code volume journal disable POOL VOLUME --yes} (the app asked for the volume's name first). */
    public static Function<String, List<String>> disableJournal(String volume) {
        return dir -> List.of("volume", "journal", "disable", dir, volume, "--yes");
    }

    /** {@code volume journal ship POOL VOLUME} (the holder waits for the image to be verified). */
    public static Function<String, List<String>> shipJournal(String volume) {
        return dir -> List.of("volume", "journal", "ship", dir, volume);
    }

    /** {@code pair create POOL PAIR --std VOLUME --bcv VOLUME}. */
    public static Function<String, List<String>> createPair(String pair, String std, String bcv) {
        return dir -> List.of("pair", "create", dir, pair, "--std", std, "--bcv", bcv);
    }

    /** {@code pair delete POOL PAIR --yes [--stop]}: the app asked its own typed confirmation first. */
    public static Function<String, List<String>> deletePair(String pair, boolean stop) {
        return dir -> withFlag(List.of("pair", "delete", dir, pair, "--yes"), stop, "--stop");
    }

    /** {@code pair delete POOL PAIR --check [--stop]}: the engine's reason not to delete now, changing nothing. */
    public static Function<String, List<String>> checkDeletePair(String pair, boolean stop) {
        return dir -> withFlag(List.of("pair", "delete", dir, pair, "--check"), stop, "--stop");
    }

    /** {@code volume create POOL NAME --layout L --drives D1,D2,... [--size BYTES]}; {@code bytes} 0: all the drives hold. */
    public static Function<String, List<String>> createVolume(String name, String layout, List<String> drives, long bytes) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("volume", "create", dir, name, "--layout", layout,
                    "--drives", String.join(",", drives)));
            if (bytes > 0) {
                a.add("--size");
                a.add(Long.toString(bytes)); // plain bytes: exactly the size the form computed
            }
            return a;
        };
    }

    /** {@code volume delete POOL NAME --yes}: the app asked its own typed confirmation first. */
    public static Function<String, List<String>> deleteVolume(String name) {
        return dir -> List.of("volume", "delete", dir, name, "--yes");
    }

    /** {@code volume delete POOL NAME --check}: the engine's reason not to delete now, changing nothing. */
    public static Function<String, List<String>> checkDeleteVolume(String name) {
        return dir -> List.of("volume", "delete", dir, name, "--check");
    }

    /** {@code drive add POOL --count N [--size BYTES]}; {@code bytes} 0: the pool's drive size. */
    public static Function<String, List<String>> addDrives(int count, long bytes) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("drive", "add", dir, "--count", Integer.toString(count)));
            if (bytes > 0) {
                a.add("--size");
                a.add(Long.toString(bytes));
            }
            return a;
        };
    }

    /** {@code drive replace POOL DRIVE --spare SPARE --no-wait [--throttle MB/s]}: the rebuild runs in the holder. */
    public static Function<String, List<String>> replaceWithSpare(String failed, String spare, long limit) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("drive", "replace", dir, failed, "--spare", spare, "--no-wait"));
            if (limit > 0) {
                a.add("--throttle");
                a.add(megabytes(limit));
            }
            return a;
        };
    }

    /** {@code drive replace POOL DRIVE --spare SPARE --check}: the engine's reason the spare cannot, changing nothing. */
    public static Function<String, List<String>> checkReplaceWithSpare(String failed, String spare) {
        return dir -> List.of("drive", "replace", dir, failed, "--spare", spare, "--check");
    }

    /** The drives the holder said it added ("added drive d7 (SPARE)", one line each). */
    public static List<String> addedDrives(String stdout) {
        List<String> out = new ArrayList<>();
        Matcher m = ADDED.matcher(stdout);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * {@code drill run POOL --volume V --drive D --reason R --log M --writes-for Ns
     * [--second-failure-after Ns] [--no-writes] --yes --json-lines}: the app asked its own confirmation
     * first; the drill runs in the holder, which alone writes its verified test data, and prints it
     * as it runs (its steps, write count and window map: {@link org.splitpoint.engine.pool.DrillLines}),
     * the result last.
     */
    public static Function<String, List<String>> drill(org.splitpoint.engine.pool.Drill.Plan p) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("drill", "run", dir, "--volume", p.volume(), "--drive", p.drive(),
                    "--reason", p.reason().word(), "--log", p.mode().word(), "--writes-for",
                    p.writesFor().toSeconds() + "s"));
            if (p.secondFailureAfter() != null) {
                a.add("--second-failure-after");
                a.add(p.secondFailureAfter().toSeconds() + "s");
            }
            if (!p.workload()) {
                a.add("--no-writes");
            }
            a.add("--yes");
            a.add("--json-lines");
            return a;
        };
    }

    /** {@code drill end POOL --volume VOLUME}: the holder's running drill ends its window now. */
    public static Function<String, List<String>> endDrill(String volume) {
        return dir -> List.of("drill", "end", dir, "--volume", volume);
    }

    /** The drill's result: the last line {@code drill run --json-lines} printed. */
    public static org.splitpoint.engine.pool.Drill.Result drillResult(String stdout) {
        String last = stdout.strip().lines().reduce((a, b) -> b).orElse("");
        org.splitpoint.engine.pool.DrillLines.Line line;
        try {
            line = org.splitpoint.engine.pool.DrillLines.read(last);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the holder's drill result could not be read: " + e.getMessage(), e);
        }
        if (line instanceof org.splitpoint.engine.pool.DrillLines.Finished f) {
            return f.result();
        }
        throw new IllegalStateException("the holder's drill ended without its result (its last line: " + last + ")");
    }

    /** {@code volume rebuild-from-backup POOL VOLUME --preview --json}: what a rebuild would use, as JSON. */
    public static Function<String, List<String>> previewRebuild(String volume) {
        return dir -> List.of("volume", "rebuild-from-backup", dir, volume, "--preview", "--json");
    }

    /** The preview {@link #previewRebuild} printed. */
    public static org.splitpoint.engine.pool.JournalAdmin.RebuildPreview rebuildPreview(String stdout) {
        try {
            return org.splitpoint.engine.control.PoolFeed.json().readValue(stdout.strip(),
                    org.splitpoint.engine.pool.JournalAdmin.RebuildPreview.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the holder's rebuild preview could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * {@code volume rebuild-from-backup POOL VOLUME --no-wait [--drives D1,D2] [--throttle MB/s]}:
     * the app asked its own confirmation first; the rebuild runs in the holder.
     */
    public static Function<String, List<String>> rebuildFromBackup(String volume, List<String> drives, long limit) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("volume", "rebuild-from-backup", dir, volume, "--no-wait"));
            if (!drives.isEmpty()) {
                a.add("--drives");
                a.add(String.join(",", drives));
            }
            if (limit > 0) {
                a.add("--throttle");
                a.add(megabytes(limit));
            }
            return a;
        };
    }

    /**
     * {@code backup create POOL VOLUME --store DIR --no-wait [--full] [--from-snapshot NAME]}: the copy
     * runs in the holder; {@code snapshot} null backs the volume up as it is now.
     */
    public static Function<String, List<String>> backup(String volume, java.nio.file.Path store, boolean full,
                                                        String snapshot) {
        return dir -> {
            List<String> a = new ArrayList<>(withFlag(List.of("backup", "create", dir, volume, "--store", store.toString(),
                    "--no-wait"), full, "--full"));
            if (snapshot != null) {
                a.addAll(List.of("--from-snapshot", snapshot));
            }
            return a;
        };
    }

    /**
     * {@code backup restore POOL VOLUME --store DIR --at ID --no-wait --yes|--only-if-failed
     * [--write-through] [--bulk-throttle MB/s]}: the app asked its own confirmation first (the
     * volume's name typed: {@code --yes}; nothing asked of a FAILED volume: {@code --only-if-failed},
     * so the holder refuses one that is no longer FAILED); the restore runs in the holder.
     */
    public static Function<String, List<String>> restoreFromBackup(String volume, java.nio.file.Path store, String image,
                                                                   boolean writeThrough, long bulkLimit,
                                                                   org.splitpoint.engine.pool.VolumeData consent) {
        return dir -> {
            List<String> a = new ArrayList<>(List.of("backup", "restore", dir, volume, "--store", store.toString(),
                    "--at", image, "--no-wait", consent == org.splitpoint.engine.pool.VolumeData.MAY_BE_REPLACED ? "--yes"
                            : "--only-if-failed"));
            if (writeThrough) {
                a.add("--write-through");
            }
            if (bulkLimit > 0) {
                a.add("--bulk-throttle");
                a.add(megabytes(bulkLimit));
            }
            return a;
        };
    }

    /**
     * The progress of the job the holder said it started ("...; job backup-db"), as its snapshot
     * {@code state} taken after the command shows it; when the job already ended and left the
     * snapshot, what the holder printed ({@link #started}) under the job's id.
     */
    public static org.splitpoint.engine.job.JobProgress startedJob(String kind, String target, String stdout,
                                                                   org.splitpoint.engine.pool.PoolSnapshot state) {
        String id = startedJob(stdout);
        if (state != null) {
            for (var j : state.jobs()) {
                if (j.id().equals(id)) {
                    return j;
                }
            }
        }
        var p = started(kind, target, stdout);
        return new org.splitpoint.engine.job.JobProgress(id, p.kind(), p.target(), p.state(), 0, p.totalTracks(), 0, 0,
                -1, 0, "");
    }

    /** The id of the job the holder said it started ("rebuild job rebuild-3 started", "...; job backup-db"), or "". */
    public static String startedJob(String stdout) {
        Matcher m = JOB_ID.matcher(stdout);
        String id = "";
        while (m.find()) { // the last: a store's path before it may hold the word
            id = m.group(1);
        }
        return id;
    }

    private static List<String> withFlag(List<String> args, boolean on, String flag) {
        List<String> a = new ArrayList<>(args);
        if (on) {
            a.add(flag);
        }
        return a;
    }

    /** The first whole number the holder printed ("verify" prints the mismatch count), or -1. */
    public static long firstNumber(String stdout) {
        Matcher m = NUMBER.matcher(stdout);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * What the holder said of a job it started, as a progress with only {@code totalTracks} known
     * ("... started: 120 tracks to copy back"): the stream brings the rest.
     */
    public static org.splitpoint.engine.job.JobProgress started(String kind, String target, String stdout) {
        Matcher m = TRACKS.matcher(stdout);
        long tracks = m.find() ? Long.parseLong(m.group(1)) : 0;
        return new org.splitpoint.engine.job.JobProgress("", kind, target, org.splitpoint.engine.job.JobState.RUNNING, 0,
                tracks, 0, 0, -1, 0, "");
    }

    /** The state word of a job the holder printed ("job 7 is CANCELLED"), or null. */
    public static String jobState(String stdout) {
        Matcher m = JOB_STATE.matcher(stdout);
        return m.find() ? m.group(1) : null;
    }

    /** Bytes per second as the decimal MB/s the CLI takes, exactly. */
    static String megabytes(long bytesPerSecond) {
        return new BigDecimal(bytesPerSecond).movePointLeft(6).stripTrailingZeros().toPlainString();
    }
}
