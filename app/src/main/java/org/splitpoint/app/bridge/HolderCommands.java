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

    private static final Pattern JOB_STATE = Pattern.compile("^job \\S+ is ([A-Z_]+)", Pattern.MULTILINE);

    private HolderCommands() {
    }

    /** {@code pair establish POOL PAIR --no-wait [--full] [--throttle MB/s]}; {@code limit} bytes/s, -1 keeps the pair's. */
    public static Function<String, List<String>> establish(String pair, boolean full, long limit) {
        return dir -> copy("establish", dir, pair, full, false, limit);
    }

    /** {@code pair restore POOL PAIR --no-wait [--full] [--protect] [--throttle MB/s]}. */
    public static Function<String, List<String>> restore(String pair, boolean full, boolean protect, long limit) {
        return dir -> copy("restore", dir, pair, full, protect, limit);
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
