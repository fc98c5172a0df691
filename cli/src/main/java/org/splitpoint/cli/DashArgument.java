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
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && ex.getCommandLine() != null) {
            return oneOfSeveralNames(unmatched);
        }
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

    /**
     * A dashed word after a list of names ({@code snapshot create POOL VOLUME... }, whose last word
     * is the snapshot's name when one volume is named): picocli found the list satisfied and said
     * "Unknown option: '-nightly'". Only a word with a single dash is taken for a name: a mistyped
     * long option ({@code --nmae}) keeps picocli's sentence.
     */
    private static String oneOfSeveralNames(CommandLine.UnmatchedArgumentException ex) {
        String dashed = ex.getUnmatched().stream()
                .filter(a -> a.length() > 1 && a.charAt(0) == '-' && a.charAt(1) != '-').findFirst().orElse(null);
        CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
        if (dashed == null || spec.findOption(dashed) != null) {
            return null;
        }
        for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
            if (NAMES.contains(p.paramLabel()) && p.arity().max() > 1) {
                // a snapshot command's trailing name is the snapshot's
                String what = spec.parent() != null && spec.parent().name().equals("snapshot") ? "snapshot"
                        : p.paramLabel().toLowerCase();
                return PoolAdmin.nameProblem(what, dashed);
            }
        }
        return null;
    }
}
