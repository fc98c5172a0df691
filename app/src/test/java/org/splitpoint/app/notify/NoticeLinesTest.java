package org.splitpoint.app.notify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A notice's sentence broken into lines the popup can show inside the window. */
class NoticeLinesTest {

    @Test
    void aLongSentenceIsBrokenAtSpacesIntoLinesNoLongerThanTheLimit() {
        String sentence = "the host workload found 12 blocks of volume prod not holding what it wrote (since"
                + " 2026-12-03T06:03:46Z; last: the block at 37892096 holds no workload stamp); verify and repair";
        String shown = Notices.lines(sentence);
        assertThat(shown.split("\n")).hasSizeGreaterThan(1).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(Notices.LINE));
        assertThat(shown.replace("\n", " ")).isEqualTo(sentence);
    }

    @Test
    void aShortSentenceAndItsOwnLineBreaksStayAsTheyAre() {
        assertThat(Notices.lines("backup prod DONE in 0:00")).isEqualTo("backup prod DONE in 0:00");
        assertThat(Notices.lines("firmware d1 DONE\nresync d1 DONE")).isEqualTo("firmware d1 DONE\nresync d1 DONE");
    }

    @Test
    void aVeryLongTextShowsItsFirstLinesAndSaysThereIsMore() {
        String many = String.join("\n", java.util.Collections.nCopies(9, "job ended"));
        String shown = Notices.lines(many);
        assertThat(shown.split("\n")).hasSize(Notices.MAX_LINES);
        assertThat(shown).endsWith("job ended …");
    }
}
