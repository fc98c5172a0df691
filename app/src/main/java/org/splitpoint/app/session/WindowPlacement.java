package org.splitpoint.app.session;

import javafx.geometry.Rectangle2D;

/**
 * Where the main window opens: the saved bounds, moved and shrunk into the screen that shows them. The
 * saved 1360x860 at (40, 13) from a large screen opened on a 1024x700 one running past its right and
 * bottom edges: the jobs panel, the status bar and the pair console's Delete pair… off the screen, and a
 * window without a window manager's frame could not be dragged back. A first run (nothing saved) takes
 * 1360x860 or the screen, wherever the system puts it.
 *
 * @param positioned false when the system should place the window (nothing saved, or the saved place is
 *                   on no screen now): x and y are then unused
 */
public record WindowPlacement(double x, double y, double width, double height, boolean positioned) {

    /** A first run's size, where the screen has room for it. */
    static final double FIRST_WIDTH = 1360;
    static final double FIRST_HEIGHT = 860;

    /**
     * The window's place for {@code saved} (null on a first run): within {@code screen}, the visual
     * bounds of the screen that holds the saved top-left corner, or null when none does (the primary's
     * are then {@code primary}).
     */
    public static WindowPlacement of(AppPrefs.Bounds saved, Rectangle2D screen, Rectangle2D primary) {
        if (saved == null) {
            return new WindowPlacement(0, 0, Math.min(FIRST_WIDTH, primary.getWidth()),
                    Math.min(FIRST_HEIGHT, primary.getHeight()), false);
        }
        Rectangle2D on = screen == null ? primary : screen;
        double w = Math.min(saved.width(), on.getWidth());
        double h = Math.min(saved.height(), on.getHeight());
        if (screen == null) {
            return new WindowPlacement(0, 0, w, h, false);
        }
        double x = Math.max(on.getMinX(), Math.min(saved.x(), on.getMaxX() - w));
        double y = Math.max(on.getMinY(), Math.min(saved.y(), on.getMaxY() - h));
        return new WindowPlacement(x, y, w, h, true);
    }
}
