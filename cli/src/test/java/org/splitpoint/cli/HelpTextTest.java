package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command's {@code --help} says what each of its options and arguments is: an administrator
 * reading {@code volume create --help} saw {@code --layout}, {@code --drives} and {@code NAME}
 * with nothing after them.
 */
class HelpTextTest {

    @Test
    void everyOptionAndArgumentOfEveryCommandIsDescribed() {
        List<String> bare = new ArrayList<>();
        walk(new CommandLine(new Splitpoint()), bare);
        assertThat(bare).as("options and arguments whose help says nothing").isEmpty();
    }

    private static void walk(CommandLine cl, List<String> bare) {
        CommandSpec spec = cl.getCommandSpec();
        for (ArgSpec a : spec.args()) {
            if (String.join("", a.description()).isBlank()) {
                bare.add(spec.qualifiedName() + " " + (a instanceof OptionSpec o ? o.longestName() : a.paramLabel()));
            }
        }
        if (String.join("", spec.usageMessage().description()).isBlank()) {
            bare.add(spec.qualifiedName() + " (the command itself)");
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            walk(sub, bare);
        }
    }
}
