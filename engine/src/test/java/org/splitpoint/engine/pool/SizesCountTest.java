package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one plural the engine, the CLI and the app build their counted sentences with. */
class SizesCountTest {

    @Test
    void oneIsSingularAndEveryOtherCountPlural() {
        assertThat(Sizes.count(1, "track")).isEqualTo("1 track");
        assertThat(Sizes.count(0, "track")).isEqualTo("0 tracks");
        assertThat(Sizes.count(2, "lost track")).isEqualTo("2 lost tracks");
        assertThat(Sizes.count(-1, "track")).isEqualTo("-1 tracks");
    }

    @Test
    void aNounEndingInAConsonantAndYTakesIes() {
        assertThat(Sizes.count(3, "entry")).isEqualTo("3 entries");
        assertThat(Sizes.count(1, "entry")).isEqualTo("1 entry");
        assertThat(Sizes.count(2, "day")).isEqualTo("2 days");
        assertThat(Sizes.noun(5, "track")).isEqualTo("tracks");
        assertThat(Sizes.noun(1, "track")).isEqualTo("track");
    }
}
