package org.splitpoint.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Confirmation before a destructive action: on a terminal the user types a word; without one the
 * command needs {@code --yes} (otherwise a usage error saying what would happen).
 */
final class Confirm {

    private Confirm() {
    }

    /**
     * A usage error when both {@code --yes} and {@code option}, which refuses what {@code --yes}
     * agrees to ({@code agreesTo}: "overwrite the BCV's writes since the split"), were given.
     */
    static void notBoth(boolean yes, boolean refusing, String option, String agreesTo) {
        if (yes && refusing) {
            throw new IllegalArgumentException("--yes agrees to " + agreesTo + " and " + option + " refuses to: choose one");
        }
    }

    /**
     * True when the user confirmed {@code consequence} (a sentence: what cannot be undone) by
     * typing {@code word}; false when they typed anything else (said on stderr as {@code notDone}).
     */
    static boolean typed(PrintWriter err, String consequence, String word, String notDone) throws IOException {
        CliContext ctx = CliContext.current();
        if (!ctx.terminal()) {
            throw new IllegalArgumentException(consequence + "; add --yes to confirm (stdin is not a terminal)");
        }
        err.print(consequence + ". Type " + word + " to go on: ");
        err.flush();
        String answer = new BufferedReader(new InputStreamReader(ctx.stdin(), StandardCharsets.UTF_8)).readLine();
        if (answer == null || !answer.trim().equals(word)) {
            err.println("splitpoint: " + notDone);
            return false;
        }
        return true;
    }
}
