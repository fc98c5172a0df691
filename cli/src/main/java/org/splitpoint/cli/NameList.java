package org.splitpoint.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of names after an option, comma-separated ({@code --drives d1,d2}), read as a person means it. picocli's
 * split dropped trailing empty pieces and kept the others: {@code --drives ''} was one drive named '' ("raid1 needs
 * at least 2 drives, not 1"), {@code --drives ,} none, {@code --drives d1,,d2} asked for a drive named '' (exit 1,
 * as if the pool lacked it) and {@code --drives 'd1, d2'} for one named ' d2'. Here the blanks around a name go
 * (no name holds one), and a list that names nothing, or has nothing between two commas or at an end, is a usage
 * error quoting the list as typed. The option may be given more than once; its lists add up.
 */
final class NameList {

    private NameList() {
    }

    /** The names {@code typed} lists (each occurrence of {@code option} as given); throws a usage error. */
    static List<String> parse(String option, List<String> typed) {
        List<String> names = new ArrayList<>();
        for (String list : typed) {
            if (list.isBlank()) {
                throw new IllegalArgumentException(option + " '" + list + "' names no drive: give the drives' names"
                        + " separated by commas, e.g. " + option + " d1,d2");
            }
            for (String piece : list.split(",", -1)) {
                String name = piece.strip();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException(option + " '" + list + "' has an empty name (nothing between two"
                            + " commas or at an end): give the drives' names separated by commas, e.g. " + option + " d1,d2");
                }
                names.add(name);
            }
        }
        return names;
    }
}
