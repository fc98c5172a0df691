package org.splitpoint.app.pair;

import javafx.scene.paint.Color;
import org.splitpoint.app.common.CellMapCanvas;
import org.splitpoint.app.common.Palette;
import org.splitpoint.engine.pair.PairState;

/**
 * A pair's track map: cells coloured by {@link CellState} (partly done cells lighter), tracks just
 * served on demand from the BCV flashing and fading into "restored". The drawing is
 * {@link CellMapCanvas}'s; this class says what a cell of a {@link TrackSample} looks like.
 */
public final class TrackMapCanvas extends CellMapCanvas {

    public void show(TrackSample s) {
        showPicture(s == null ? null : new PairPicture(s));
    }

    static Color colourOf(Palette p, CellState s) {
        return switch (s) {
            case SYNCED -> p.synced();
            case STD_INVALID -> p.stdInvalid();
            case BCV_INVALID -> p.bcvInvalid();
            case COPYING -> p.copying();
            case RESTORING -> p.restoring();
            case RESTORED -> p.restored();
        };
    }

    /** A sample as the canvas asks for it. */
    private static final class PairPicture implements Picture {
        private final TrackSample sample;
        private final TrackCells tc;
        private final int[] colour = new int[CellState.values().length];
        private int base;

        PairPicture(TrackSample sample) {
            this.sample = sample;
            this.tc = sample.cells();
        }

        @Override
        public int fineCells() {
            return tc.count();
        }

        @Override
        public void prepare(Palette p) {
            for (CellState s : CellState.values()) {
                colour[s.ordinal()] = Palette.argb(colourOf(p, s));
            }
            base = Palette.argb(sample.state() == PairState.RestInProg ? p.restored() : p.synced());
        }

        @Override
        public int argb(Palette p, int f0, int f1) {
            TrackCells.Sum c = tc.sum(f0, f1);
            CellState s = CellState.of(sample.state(), c.n(), c.std(), c.bcv(), c.restored());
            int argb = colour[s.ordinal()];
            double owed = CellState.owed(s, c.n(), c.std(), c.bcv());
            if (owed < 1) { // partly done: lighter, but clearly not the finished colour
                argb = Palette.mix(base, argb, 0.35 + 0.65 * owed);
            }
            return argb;
        }

        @Override
        public String describe(int f0, int f1) {
            TrackCells.Sum c = tc.sum(f0, f1);
            long from = f0 * tc.perFine();
            return CellState.describe(sample.state(), from, from + c.n(), sample.trackSize(), c.std(), c.bcv(), c.restored());
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
            return tc.fineOf(t);
        }

        @Override
        public Color flashFadesTo(Palette p) {
            return p.restored();
        }
    }
}
