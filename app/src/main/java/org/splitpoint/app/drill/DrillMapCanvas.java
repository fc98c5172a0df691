package org.splitpoint.app.drill;

import javafx.scene.paint.Color;
import org.splitpoint.app.common.CellMapCanvas;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.pair.TrackCells;

/**
 * A service window's track map, drawn as the pair console's and the instant restore's are
 * ({@link CellMapCanvas}): tracks owed to the drive (written while it was out) in the write colour,
 * lighter when a cell is partly owed; those already written back in the restored colour, so the
 * delta is seen growing in the window and draining in the resync; tracks a second failure lost in
 * the restoring (alarm) colour; the rest grey.
 */
public final class DrillMapCanvas extends CellMapCanvas {

    /** What a cell shows, with the legend's words. */
    public enum Look {
        CLEAN("not written in the window"), OWED("owed to the drive (written while it was out)"),
        DRAINED("written back to the drive"), LOST("lost (second failure)");

        private final String word;

        Look(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public void show(DrillSample s) {
        showPicture(s == null || s.cells() == null ? null : new WindowPicture(s));
    }

    public static Color colourOf(Palette p, Look l) {
        return switch (l) {
            case CLEAN -> p.synced();
            case OWED -> p.write();
            case DRAINED -> p.restored();
            case LOST -> p.restoring();
        };
    }

    private static final class WindowPicture implements Picture {
        private static final long[] NONE = new long[0];
        private final DrillSample sample;
        private final TrackCells cells;
        private final int[] colour = new int[Look.values().length];

        WindowPicture(DrillSample sample) {
            this.sample = sample;
            this.cells = sample.cells();
        }

        @Override
        public int fineCells() {
            return cells.count();
        }

        @Override
        public void prepare(Palette p) {
            for (Look l : Look.values()) {
                colour[l.ordinal()] = Palette.argb(colourOf(p, l));
            }
        }

        @Override
        public int argb(Palette p, int from, int to) {
            long owed = 0;
            long ever = 0;
            for (int f = from; f < to; f++) {
                owed += cells.std(f);
                ever += cells.bcv(f);
            }
            if (sample.lostIn(from, to) > 0) {
                return colour[Look.LOST.ordinal()];
            }
            if (owed > 0) {
                long n = Math.max(1, cells.tracksIn(from, to));
                // partly owed: lighter, toward what the rest of the cell is
                int rest = colour[(ever > owed ? Look.DRAINED : Look.CLEAN).ordinal()];
                return Palette.mix(rest, colour[Look.OWED.ordinal()], 0.45 + 0.55 * owed / (double) n);
            }
            return colour[(ever > 0 ? Look.DRAINED : Look.CLEAN).ordinal()];
        }

        @Override
        public String describe(int from, int to) {
            long owed = 0;
            long ever = 0;
            for (int f = from; f < to; f++) {
                owed += cells.std(f);
                ever += cells.bcv(f);
            }
            long first = from * cells.perFine();
            long n = cells.tracksIn(from, to);
            String head = (n == 1 ? "Track " + Format.count(first) : "Tracks " + Format.count(first) + "–"
                    + Format.count(first + n - 1)) + " (" + (sample.volumeTracks() ? "volume" : "member rows") + " at "
                    + Format.size(first * sample.trackSize()) + "): ";
            StringBuilder b = new StringBuilder();
            String drive = sample.drive() == null ? "the drive" : sample.drive();
            part(b, sample.lostIn(from, to), "lost");
            part(b, owed, "owed to " + drive);
            part(b, ever - owed, "written back");
            part(b, n - ever, "not written in the window");
            return head + b;
        }

        private static void part(StringBuilder b, long n, String what) {
            if (n > 0) {
                b.append(b.length() == 0 ? "" : ", ").append(Format.count(n)).append(' ').append(what);
            }
        }

        @Override
        public long[] flashTracks() {
            return NONE;
        }

        @Override
        public long[] flashNanos() {
            return NONE;
        }

        @Override
        public int fineOf(long t) {
            return cells.fineOf(t);
        }

        @Override
        public Color flashFadesTo(Palette p) {
            return p.write();
        }
    }
}
