package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void aNumberWithItsUnitOrIsoIsTaken() {
        assertThat(Durations.seconds("30s")).isEqualTo(30);
        assertThat(Durations.seconds("15m")).isEqualTo(900);
        assertThat(Durations.seconds("2h")).isEqualTo(7200);
        assertThat(Durations.seconds("1d")).isEqualTo(86400);
        assertThat(Durations.seconds(" 15 min ")).isEqualTo(900);
        assertThat(Durations.seconds("PT90S")).isEqualTo(90);
        assertThat(Durations.seconds("-5s")).isEqualTo(-5); // the caller says why a negative one is refused
    }

    @Test
    void aBareNumberIsRefusedWithTheFormsThatWouldBeTaken() {
        assertThatThrownBy(() -> Durations.seconds("5")).hasMessage("'5' has no unit: write 5s, 5m, 5h or 5d; durations"
                + " are a whole number with s, m, h or d (90s, 15m, 2h, 1d) or ISO-8601 (PT15M)");
        assertThatThrownBy(() -> Durations.seconds("soon")).hasMessage("'soon' is not a duration; durations are a whole"
                + " number with s, m, h or d (90s, 15m, 2h, 1d) or ISO-8601 (PT15M)");
        assertThatThrownBy(() -> Durations.seconds("1.5h")).hasMessageStartingWith("'1.5h' is not a duration");
    }

    /**
     * Digits and a unit that make more seconds than a count holds are a duration too long, not "not a
     * duration" (h148: 'journal enable --max-age 9999999999999999d' said the latter of a well-formed one).
     */
    @Test
    void aDurationTooLongToCountIsSaidToBeTooLong() {
        assertThatThrownBy(() -> Durations.seconds("9999999999999999d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'9999999999999999d' is too long a duration to count: at most 106751991167300d");
        assertThatThrownBy(() -> Durations.seconds("99999999999999999999s"))
                .hasMessage("'99999999999999999999s' is too long a duration to count: at most 9223372036854775807s");
        assertThat(Durations.seconds("106751991167300d")).isEqualTo(106751991167300L * 86400);
    }

    /**
     * A bare negative number is refused as negative: "'-3' has no unit: write -3s, -3m, -3h or -3d"
     * (the journal's max age in the app, by hand) advised durations every caller refuses.
     */
    @Test
    void aBareNegativeNumberIsRefusedAsNegativeNotForItsUnit() {
        assertThatThrownBy(() -> Durations.seconds("-3")).hasMessage("'-3' is not a duration: durations are not"
                + " negative; " + Durations.FORMS);
        assertThatThrownBy(() -> Durations.seconds("+5")).hasMessageStartingWith("'+5' has no unit: write +5s");
    }
}
