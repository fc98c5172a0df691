package org.splitpoint.app.common;

import java.nio.IntBuffer;
import javafx.animation.AnimationTimer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.canvas.Canvas;
import javafx.scene.control.Tooltip;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;

/**
 * A dense track map (a pair's, an instant restore's): every cell one or more tracks, coloured by
 * what its {@link Picture} says, tracks just served on demand flashing and fading, the hovered cell
 * outlined and described. Drawn into an int pixel buffer that an image shares ({@link PixelBuffer}:
 * no copy, no format conversion on the FX thread) and put on the canvas as one image — a few hundred
 * thousand int writes whatever the track count, since a sampler already counted the bits into at
 * most 64 K fine cells. Redraws on a new picture, a resize, a hover, the theme, and (only while
 * something flashes) on an animation timer.
 */
public abstract class CellMapCanvas extends Region {

    /** How long a track served on demand keeps flashing. */
    public static final long FLASH_NANOS = 900_000_000L;

    /** What the map shows at one instant, in fine cells (equal track ranges). */
    public interface Picture {
        int fineCells();

        /** Called once per frame before the cells are asked for (colour tables). */
        default void prepare(Palette p) {
        }

        /** The ARGB colour of a drawn cell holding fine cells [from, to). */
        int argb(Palette p, int from, int to);

        /** One line for the hovered cell holding fine cells [from, to). */
        String describe(int from, int to);

        /** Tracks to flash, and when each was seen (System.nanoTime). */
        long[] flashTracks();

        long[] flashNanos();

        /** The fine cell holding track {@code t}. */
        int fineOf(long t);

        /** The colour a flash fades into. */
        Color flashFadesTo(Palette p);
    }

    private final Canvas canvas = new Canvas();
    private final ReadOnlyStringWrapper hover = new ReadOnlyStringWrapper("");
    private final Tooltip tip = new Tooltip();
    private final AnimationTimer fader;
    private Picture picture;
    private TrackGrid grid;
    private WritableImage image;
    private PixelBuffer<IntBuffer> buffer;
    private int[] pixels = new int[0];
    private int hoverCell = -1;
    private long lastFrame;
    private long newestFlash = Long.MIN_VALUE;

    protected CellMapCanvas() {
        getStyleClass().add("track-map");
        getChildren().add(canvas);
        setMinSize(120, 80);
        setPrefSize(640, 320);
        fader = new AnimationTimer() {
            @Override
            public void handle(long now) {
                if (now - lastFrame >= 30_000_000L) { // ~30 fps is smooth enough for a fade
                    draw();
                }
                if (System.nanoTime() - newestFlash > FLASH_NANOS) {
                    stop();
                    draw();
                }
            }
        };
        tip.textProperty().bind(hover);
        tip.setShowDelay(javafx.util.Duration.millis(150));
        tip.setHideDelay(javafx.util.Duration.ZERO);
        canvas.setOnMouseMoved(e -> hoverAt(e.getX(), e.getY()));
        canvas.setOnMouseExited(e -> hoverAt(-1, -1));
        Palette.dark().addListener(o -> draw());
    }

    /** What the hovered cell holds; empty when none. */
    public ReadOnlyStringProperty hoverTextProperty() {
        return hover.getReadOnlyProperty();
    }

    /** The geometry last drawn (tests, benchmark). */
    public TrackGrid grid() {
        return grid;
    }

    /** Shows {@code p} (null: an empty map). */
    protected void showPicture(Picture p) {
        picture = p;
        if (p != null && p.flashNanos().length > 0) {
            newestFlash = p.flashNanos()[p.flashNanos().length - 1];
            fader.start();
        }
        draw();
        if (hoverCell >= 0) {
            hover.set(describe(hoverCell));
        }
    }

    @Override
    protected void layoutChildren() {
        double w = Math.floor(getWidth());
        double h = Math.floor(getHeight());
        if (w != canvas.getWidth() || h != canvas.getHeight()) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            draw();
        }
    }

    private void hoverAt(double x, double y) {
        int c = grid == null || x < 0 ? -1 : grid.cellAt(x, y);
        if (c != hoverCell) {
            if (c < 0) {
                Tooltip.uninstall(canvas, tip); // an empty tooltip would still pop up
            } else if (hoverCell < 0) {
                Tooltip.install(canvas, tip);
            }
            hoverCell = c;
            hover.set(c < 0 ? "" : describe(c));
            draw();
        }
    }

    private String describe(int cell) {
        if (picture == null || grid == null || cell >= grid.cells()) {
            return "";
        }
        int f0 = cell * grid.finePerCell();
        return picture.describe(f0, Math.min(picture.fineCells(), f0 + grid.finePerCell()));
    }

    /** Draws the current picture now; returns the nanoseconds it took (for the benchmark). */
    public long draw() {
        long t0 = System.nanoTime();
        lastFrame = t0;
        int w = (int) canvas.getWidth();
        int h = (int) canvas.getHeight();
        if (w < 2 || h < 2) {
            return 0;
        }
        Palette p = Palette.current();
        if (buffer == null || buffer.getWidth() != w || buffer.getHeight() != h) {
            pixels = new int[w * h];
            buffer = new PixelBuffer<>(w, h, IntBuffer.wrap(pixels), PixelFormat.getIntArgbPreInstance());
            image = new WritableImage(buffer);
        }
        buffer.updateBuffer(b -> {
            java.util.Arrays.fill(pixels, Palette.argb(p.background())); // opaque colours: premultiplied as they are
            if (picture != null) {
                grid = TrackGrid.fit(w, h, picture.fineCells());
                picture.prepare(p);
                paintCells(p, w, h);
                paintFlashes(p, w, h, t0);
                if (hoverCell >= 0 && hoverCell < grid.cells()) {
                    outline(hoverCell, Palette.argb(p.hover()), w, h);
                }
            }
            return null; // all of it changed
        });
        canvas.getGraphicsContext2D().drawImage(image, 0, 0);
        return System.nanoTime() - t0;
    }

    private void paintCells(Palette p, int w, int h) {
        int per = grid.finePerCell();
        int count = picture.fineCells();
        for (int c = 0; c < grid.cells(); c++) {
            int f0 = c * per;
            fill(c, picture.argb(p, f0, Math.min(count, f0 + per)), w, h);
        }
    }

    private void paintFlashes(Palette p, int w, int h, long now) {
        long[] tracks = picture.flashTracks();
        long[] at = picture.flashNanos();
        int flash = Palette.argb(p.flash());
        int settled = Palette.argb(picture.flashFadesTo(p));
        for (int i = 0; i < tracks.length; i++) {
            double age = (now - at[i]) / (double) FLASH_NANOS;
            if (age >= 1 || age < -0.5) {
                continue;
            }
            int cell = grid.cellOfFine(picture.fineOf(tracks[i]));
            fill(cell, Palette.mix(flash, settled, Math.max(0, age) * Math.max(0, age)), w, h);
        }
    }

    private void fill(int cell, int argb, int w, int h) {
        int px = grid.cellPx();
        int size = px - grid.gap();
        int x0 = (cell % grid.cols()) * px;
        int y0 = (cell / grid.cols()) * px;
        int x1 = Math.min(w, x0 + size);
        for (int y = y0; y < Math.min(h, y0 + size); y++) {
            java.util.Arrays.fill(pixels, y * w + x0, y * w + x1, argb);
        }
    }

    private void outline(int cell, int argb, int w, int h) {
        int px = grid.cellPx();
        int x0 = Math.max(0, (cell % grid.cols()) * px - 1);
        int y0 = Math.max(0, (cell / grid.cols()) * px - 1);
        int x1 = Math.min(w - 1, x0 + px + 1);
        int y1 = Math.min(h - 1, y0 + px + 1);
        for (int x = x0; x <= x1; x++) {
            pixels[y0 * w + x] = argb;
            pixels[y1 * w + x] = argb;
        }
        for (int y = y0; y <= y1; y++) {
            pixels[y * w + x0] = argb;
            pixels[y * w + x1] = argb;
        }
    }
}
