package org.splitpoint.cli;

import java.util.List;
import java.util.Set;
import org.splitpoint.engine.pool.PoolAdmin;
import picocli.CommandLine;

/**
 * A positional argument that begins with '-' ({@code volume create POOL -x ...}): picocli takes it
 * for an option the command does not have and then finds the positional missing, so a person read
 * "Missing required parameter: 'NAME'" about a name they did type. This says what is wrong with
 * what was typed instead: no name may begin with '-' (the engine's naming rule: a letter first),
 * and a path that does is written {@code ./-x}.
 */
final class DashArgument {

    /** Positionals that are names under the engine's rule, and the noun the rule's sentence uses. */
    private static final Set<String> NAMES = Set.of("NAME", "VOLUME", "PAIR", "DRIVE");
    private static final Set<String> PATHS = Set.of("POOL", "DIR", "FILE");

    private DashArgument() {
    }

    /** The sentence for {@code ex} when it is a positional lost to a dash, else null. */
    static String explain(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.MissingParameterException missing) || ex.getCommandLine() == null) {
            return null;
        }
        String dashed = ex.getCommandLine().getUnmatchedArguments().stream()
                .filter(a -> a.startsWith("-") && a.length() > 1).findFirst().orElse(null);
        List<String> labels = missing.getMissing().stream().filter(CommandLine.Model.ArgSpec::isPositional)
                .map(CommandLine.Model.ArgSpec::paramLabel).toList();
        if (dashed == null || labels.isEmpty()) {
            return null;
        }
        String label = labels.get(0);
        CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
        if (NAMES.contains(label)) {
            // NAME is the name of what the command's group makes: a volume, a snapshot
            String what = label.equals("NAME") && spec.parent() != null ? spec.parent().name() : label.toLowerCase();
            String problem = PoolAdmin.nameProblem(what, dashed);
            if (problem != null) {
                return problem;
            }
        }
        if (PATHS.contains(label)) {
            return "'" + dashed + "' is not an option of '" + spec.qualifiedName() + "'; a " + label
                    + " path that begins with '-' is written ./" + dashed;
        }
        return "'" + dashed + "' is not an option of '" + spec.qualifiedName() + "', and " + label
                + " is missing; a " + label + " cannot begin with '-'";
    }
}
