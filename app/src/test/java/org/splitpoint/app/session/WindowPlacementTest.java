package org.splitpoint.app.session;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.geometry.Rectangle2D;
import org.junit.jupiter.api.Test;

/** The main window opens within the screen, whatever screen its saved bounds came from. */
class WindowPlacementTest {

    private static final Rectangle2D SMALL = new Rectangle2D(0, 0, 1024, 700);
    private static final Rectangle2D LARGE = new Rectangle2D(0, 0, 1920, 1080);

    /** Saved on a large screen, opened on a 1024x700 one: it ran 376 px past the right edge, 173 past the bottom. */
    @Test
    void boundsSavedOnALargerScreenAreShrunkAndMovedIntoTheScreen() {
        WindowPlacement p = WindowPlacement.of(new AppPrefs.Bounds(40, 13, 1360, 860, false), SMALL, SMALL);

        assertThat(p).isEqualTo(new WindowPlacement(0, 0, 1024, 700, true));
    }

    @Test
    void boundsThatFitAreKeptAsSaved() {
        WindowPlacement p = WindowPlacement.of(new AppPrefs.Bounds(40, 13, 1360, 860, false), LARGE, LARGE);

        assertThat(p).isEqualTo(new WindowPlacement(40, 13, 1360, 860, true));
    }

    /** A window left hanging off the right edge is moved in, at its size. */
    @Test
    void aWindowPartlyPastAnEdgeIsMovedInAtItsSize() {
        WindowPlacement p = WindowPlacement.of(new AppPrefs.Bounds(1500, 600, 1000, 700, false), LARGE, LARGE);

        assertThat(p).isEqualTo(new WindowPlacement(920, 380, 1000, 700, true));
    }

    /** On a second screen, right of the first: its own edges, not the primary's. */
    @Test
    void onASecondScreenItsEdgesCount() {
        Rectangle2D second = new Rectangle2D(1920, 0, 1280, 720);

        WindowPlacement p = WindowPlacement.of(new AppPrefs.Bounds(2000, 100, 1360, 860, false), second, LARGE);

        assertThat(p).isEqualTo(new WindowPlacement(1920, 0, 1280, 720, true));
    }

    /** The screen it was on is gone: the system places it, at a size the primary screen holds. */
    @Test
    void boundsOnAScreenNowGoneAreSizedForThePrimaryAndPlacedByTheSystem() {
        WindowPlacement p = WindowPlacement.of(new AppPrefs.Bounds(3000, 100, 1360, 860, false), null, SMALL);

        assertThat(p.positioned()).isFalse();
        assertThat(p.width()).isEqualTo(1024);
        assertThat(p.height()).isEqualTo(700);
    }

    @Test
    void aFirstRunTakes1360x860OrTheScreen() {
        assertThat(WindowPlacement.of(null, null, LARGE)).isEqualTo(new WindowPlacement(0, 0, 1360, 860, false));
        assertThat(WindowPlacement.of(null, null, SMALL)).isEqualTo(new WindowPlacement(0, 0, 1024, 700, false));
    }
}
