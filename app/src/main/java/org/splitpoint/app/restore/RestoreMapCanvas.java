package org.splitpoint.app.restore;

import javafx.scene.paint.Color;
import org.splitpoint.app.common.CellMapCanvas;
import org.splitpoint.app.common.Palette;

/**
 * The overwrite map of an instant restore, drawn like the pair console's track map: not yet
 * restored (pink, lighter when partly done), copied in bulk (green), fetched on demand (blue, the
 * read colour; a fetch flashes first), written by hosts (orange, the write colour), current from
 * before this session (grey).
 */
public final class RestoreMapCanvas extends CellMapCanvas {

    private String earlier = "restored before this session";

    public void show(RestoreSample s) {
        showPicture(s == null ? null : new RestorePicture(s, earlier));
    }

    /**
     * What the hover line calls tracks current from the start ("restored before this session"; a
     * restore to a snapshot owes only the tracks written since, so the others are "unchanged").
     */
    public void setEarlierWord(String words) {
        this.earlier = words;
    }

    /**
     * The map's legend: a swatch and a word for each state ({@code earlierWord} for tracks current
     * from the start), and the flash of a fetch.
     */
    public static java.util.List<javafx.scene.Node> legend(Palette p, String earlierWord) {
        java.util.List<javafx.scene.Node> out = new java.util.ArrayList<>();
        for (RestoreCellState s : new RestoreCellState[] {RestoreCellState.NOT_YET, RestoreCellState.BULK,
            RestoreCellState.FETCHED, RestoreCellState.HOST, RestoreCellState.EARLIER}) {
            out.add(swatch(colourOf(p, s), s == RestoreCellState.EARLIER ? earlierWord : s.word()));
        }
        out.add(swatch(p.flash(), "fetched just now (flash)"));
        return out;
    }

    private static javafx.scene.layout.HBox swatch(Color c, String word) {
        javafx.scene.shape.Rectangle r = new javafx.scene.shape.Rectangle(12, 12, c);
        r.getStyleClass().add("legend-swatch");
        javafx.scene.layout.HBox box = new javafx.scene.layout.HBox(4, r, new javafx.scene.control.Label(word));
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return box;
    }

    /** The colour of {@code s}, as the canvas and the legend draw it. */
    public static Color colourOf(Palette p, RestoreCellState s) {
        return switch (s) {
            case EARLIER -> p.synced();
            case BULK -> p.restored();
            case FETCHED -> p.read();
            case HOST -> p.write();
            case NOT_YET -> p.restoring();
        };
    }

    private static final class RestorePicture implements Picture {
        private final RestoreSample sample;
        private final String earlier;
        private final RestoreCells cells;
        private final int[] colour = new int[RestoreCellState.values().length];
        private int done;

        RestorePicture(RestoreSample sample, String earlier) {
            this.sample = sample;
            this.earlier = earlier;
            this.cells = sample.cells();
        }

        @Override
        public int fineCells() {
            return cells.count();
        }

        @Override
        public void prepare(Palette p) {
            for (RestoreCellState s : RestoreCellState.values()) {
                colour[s.ordinal()] = Palette.argb(colourOf(p, s));
            }
            done = Palette.argb(p.restored());
        }

        @Override
        public int argb(Palette p, int from, int to) {
            RestoreCells.Counts c = cells.counts(from, to);
            RestoreCellState s = RestoreCellState.of(c);
            double owed = RestoreCellState.owedShare(s, c);
            int argb = colour[s.ordinal()];
            return owed < 1 ? Palette.mix(done, argb, 0.35 + 0.65 * owed) : argb; // partly done: lighter
        }

        @Override
        public String describe(int from, int to) {
            return RestoreCellState.describe(from * cells.perFine(), sample.trackSize(), cells.counts(from, to), earlier);
        }

        @Override
        public long[] flashTracks() {
            return sample.flashTracks();
        }

        @Override
        public long[] flashNanos() {
            return sample.flashNanos();
        }

        @Override
        public int fineOf(long t) {
            return cells.fineOf(t);
        }

        @Override
        public Color flashFadesTo(Palette p) {
            return p.read();
        }
    }
}
