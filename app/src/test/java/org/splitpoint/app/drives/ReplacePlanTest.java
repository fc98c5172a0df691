package org.splitpoint.app.drives;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replace dialog's risk sentence names what would make the data unavailable during the rebuild:
 * it read "another failure among d10" for a raid1's one other mirror (seen by hand), and said a
 * single failure among the mirrors of a three-way raid1 would, when one mirror left keeps it.
 */
class ReplacePlanTest {

    private static String risk(String layout, List<String> sources) {
        ReplacePlan p = new ReplacePlan("d9", "FAILED", "64 MiB", "db", layout, "DEGRADED", sources,
                "drives/d9.img", "d9.img.replaced-<date and time>");
        return p.sentences().get(2);
    }

    @Test
    void oneOtherDriveIsNamedAsTheOneWhoseFailure() {
        assertThat(risk("raid1", List.of("d10"))).isEqualTo("Volume db keeps serving while it rebuilds, but until the"
                + " rebuild ends a failure of d10 would make its data unavailable.");
    }

    @Test
    void aRaid5sOtherDrivesAreAnyOneOf() {
        assertThat(risk("raid5", List.of("d1", "d2"))).isEqualTo("Volume db keeps serving while it rebuilds, but until"
                + " the rebuild ends another failure among d1, d2 would make its data unavailable.");
    }

    @Test
    void aRaid1sOtherMirrorsMustAllFail() {
        assertThat(risk("raid1", List.of("d10", "d11"))).isEqualTo("Volume db keeps serving while it rebuilds;"
                + " its data stays available as long as one of d10, d11 works.");
    }
}
