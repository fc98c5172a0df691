package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A name too long, and only that, is refused as too long: "'aaaa…(150 of them)' is not a valid snapshot
 * name (a letter, then up to 62 letters, …)" filled three lines of the app's dialog with the name and
 * read as if its characters were at fault.
 */
class NameRuleTest {

    @Test
    void aNameOnlyTooLongIsRefusedAsTooLongWithoutBeingEchoedWhole() {
        String name = "nightly-" + "a".repeat(142);

        assertThat(PoolAdmin.nameProblem("snapshot", name))
                .isEqualTo("a snapshot name has at most 63 characters; 'nightly-aaaaaaaaaaaa…' has 150");
    }

    @Test
    void sixtyThreeCharactersAreANameSixtyFourAreTooLong() {
        assertThat(PoolAdmin.nameProblem("volume", "v".repeat(63))).isNull();
        assertThat(PoolAdmin.nameProblem("volume", "v".repeat(64))).startsWith("a volume name has at most 63 characters;");
    }

    /** A long name with a character no name takes is refused for that, by the rule's own sentence. */
    @Test
    void aLongNameWithAWrongCharacterOrStartIsRefusedByTheRule() {
        assertThat(PoolAdmin.nameProblem("pair", "p/" + "a".repeat(70))).startsWith("'p/aaaa").endsWith(
                "is not a valid pair name: it may hold only the letters a-z and A-Z, digits, '_', '.' and '-', not '/'");
        assertThat(PoolAdmin.nameProblem("pair", "9" + "a".repeat(70))).contains("is not a valid pair name");
        assertThat(PoolAdmin.nameProblem("pair", "9lives")).isEqualTo(
                "'9lives' is not a valid pair name (a letter, then up to 62 letters, digits, '_', '.' or '-')");
    }

    /**
     * A character outside the rule is named. "'café' is not a valid volume name (a letter, then up to
     * 62 letters, …)" was said of a name whose every character is a letter to the one who typed it.
     */
    @Test
    void theCharacterThatIsNotTakenIsNamed() {
        assertThat(PoolAdmin.nameProblem("volume", "café")).isEqualTo("'café' is not a valid volume name: it may hold"
                + " only the letters a-z and A-Z, digits, '_', '.' and '-', not 'é'");
        assertThat(PoolAdmin.nameProblem("snapshot", "a b")).endsWith(", not a space");
        assertThat(PoolAdmin.nameProblem("drive", "d\u00071")).endsWith(", not U+0007");
        assertThat(PoolAdmin.nameProblem("volume", "_x")).as("a wrong start keeps the rule's sentence")
                .isEqualTo("'_x' is not a valid volume name (a letter, then up to 62 letters, digits, '_', '.' or '-')");
    }

    /**
     * A letter of another script that looks like a Latin one is named with its script: "'сnap' is not a
     * valid snapshot name: ..., not 'с'" (a Cyrillic 'с', seen by hand in the app's Take snapshot dialog)
     * read as if the Latin c, one of the letters the sentence allows, were refused.
     */
    @Test
    void aLetterOfAnotherScriptIsNamedWithItsScript() {
        assertThat(PoolAdmin.nameProblem("snapshot", "\u0441nap")).endsWith(", not '\u0441' (U+0441, a Cyrillic letter)");
        assertThat(PoolAdmin.nameProblem("volume", "pr\u03bfd")).endsWith(", not '\u03bf' (U+03BF, a Greek letter)");
        assertThat(PoolAdmin.nameProblem("volume", "caf\u00e9")).as("a Latin letter is plain").endsWith(", not '\u00e9'");
    }
}
