package org.splitpoint.app.common;

/**
 * A track map's geometry (a pair's, an instant restore's) for a canvas of {@code width} ×
 * {@code height}: square cells as large as fit (18 px down to 2 px) with one fine cell each, or at
 * 2 px several fine cells per cell. Cells of 6 px and more keep a 1 px gap, so single tracks stay
 * distinct.
 *
 * @param finePerCell fine cells (equal track ranges counted by a sampler) drawn as one cell
 * @param cells       cells drawn, row by row from the top left
 */
public record TrackGrid(int cols, int rows, int cellPx, int gap, int finePerCell, int cells) {

    static final int MAX_PX = 18;

    public static TrackGrid fit(double width, double height, int fine) {
        int w = Math.max(1, (int) width);
        int h = Math.max(1, (int) height);
        // the largest square that could hold every cell, then smaller until the rows really fit
        int start = (int) Math.min(MAX_PX, Math.floor(Math.sqrt((double) w * h / Math.max(1, fine))));
        for (int px = Math.max(2, start); px >= 2; px--) {
            int cols = w / px;
            int rows = h / px;
            if (cols > 0 && (long) cols * rows >= fine) {
                return new TrackGrid(cols, (fine + cols - 1) / Math.max(1, cols), px, px >= 6 ? 1 : 0, 1, fine);
            }
        }
        int px = 2;
        int cols = Math.max(1, w / px);
        int capacity = Math.max(1, cols * Math.max(1, h / px));
        int per = (fine + capacity - 1) / capacity;
        int cells = (fine + per - 1) / per;
        return new TrackGrid(cols, (cells + cols - 1) / cols, px, 0, per, cells);
    }

    /** The cell at pixel ({@code x}, {@code y}), or -1 outside the drawn cells. */
    public int cellAt(double x, double y) {
        if (x < 0 || y < 0) {
            return -1;
        }
        int c = (int) (x / cellPx);
        int r = (int) (y / cellPx);
        if (c >= cols) {
            return -1;
        }
        int i = r * cols + c;
        return i < cells ? i : -1;
    }

    /** The cell showing fine cell {@code fine}. */
    public int cellOfFine(int fine) {
        return fine / finePerCell;
    }
}
