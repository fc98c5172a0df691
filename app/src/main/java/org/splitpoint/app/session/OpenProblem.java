package org.splitpoint.app.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.PoolPaths;

/**
 * Why a pool did not open, as one sentence written for the app (what is wrong, what to do), not the
 * CLI's wording ("create one with 'pool create'"): a folder that is missing or not a pool, a pool that
 * another process holds, else the engine's own reason. Asked after the open failed, so it names
 * what the folder is at that moment.
 */
public final class OpenProblem {

    private OpenProblem() {
    }

    public static String sentence(Path dir, Exception failure, StorageFactory storage) {
        if (!Files.exists(dir)) {
            return "The folder " + dir + " does not exist. Choose the folder of a pool (the one holding pool.json),"
                    + " or make one with File → New pool….";
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is a file, not a pool. Choose the folder that holds pool.json, or make a pool with"
                    + " File → New pool….";
        }
        PoolPaths paths = new PoolPaths(dir);
        if (!Files.isRegularFile(paths.config())) {
            return dir + " is not a Splitpoint pool: it has no pool.json. Choose the folder that holds pool.json,"
                    + " or make a pool with File → New pool….";
        }
        String holder = holder(paths, storage);
        if (holder != null) {
            return "Pool " + dir + " is in use by another process (" + holder + "). Close Splitpoint there, or stop"
                    + " its splitpoint serve, then open the pool again.";
        }
        String why = failure.getMessage() == null || failure.getMessage().isBlank() ? failure.toString()
                : failure.getMessage();
        String repeated = "cannot open pool " + dir + ": "; // the engine's wrapping of a metadata problem
        if (why.startsWith(repeated)) {
            why = why.substring(repeated.length());
        }
        return "Splitpoint could not open pool " + dir + ": " + why + (why.endsWith(".") ? "" : ".");
    }

    private static String holder(PoolPaths paths, StorageFactory storage) {
        try {
            String who = storage.lockHolder(paths.lock());
            return who == null ? null : who.isBlank() ? "unnamed" : who;
        } catch (IOException e) {
            return null;
        }
    }
}
