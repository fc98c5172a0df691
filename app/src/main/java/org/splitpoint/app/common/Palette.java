package org.splitpoint.app.common;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.scene.paint.Color;

/**
 * Colours for what is drawn on canvases (track map, charts), which stylesheets cannot reach; one set
 * per theme. {@link #dark} is the app-wide switch (View → Dark theme), and canvases redraw on it.
 * The track states' hues differ in lightness as well as hue, and every state also has a word.
 */
public record Palette(Color background, Color grid, Color text, Color synced, Color stdInvalid, Color bcvInvalid,
                      Color copying, Color restoring, Color restored, Color flash, Color hover, Color read, Color write) {

    public static final Palette LIGHT = new Palette(Color.web("#ffffff"), Color.web("#e3e8eb"), Color.web("#37474f"),
            Color.web("#c5d0d6"), Color.web("#ef6c00"), Color.web("#8e24aa"), Color.web("#1e88e5"),
            Color.web("#d81b60"), Color.web("#43a047"), Color.web("#ffd600"), Color.web("#102027"),
            Color.web("#1e88e5"), Color.web("#ef6c00"));

    public static final Palette DARK = new Palette(Color.web("#1e2226"), Color.web("#30373d"), Color.web("#cfd8dc"),
            Color.web("#46535c"), Color.web("#ffa040"), Color.web("#ce7de0"), Color.web("#64b5f6"),
            Color.web("#f06292"), Color.web("#66bb6a"), Color.web("#fff176"), Color.web("#ffffff"),
            Color.web("#64b5f6"), Color.web("#ffa040"));

    private static final BooleanProperty DARK_THEME = new SimpleBooleanProperty(false);

    /** True while the dark theme is on (UI thread). */
    public static BooleanProperty dark() {
        return DARK_THEME;
    }

    public static Palette current() {
        return DARK_THEME.get() ? DARK : LIGHT;
    }

    /** ARGB of {@code c}, for pixel buffers. */
    public static int argb(Color c) {
        return (int) Math.round(c.getOpacity() * 255) << 24 | (int) Math.round(c.getRed() * 255) << 16
                | (int) Math.round(c.getGreen() * 255) << 8 | (int) Math.round(c.getBlue() * 255);
    }

    /** {@code a} moved toward {@code b} by {@code t} (0..1), as ARGB. */
    public static int mix(int a, int b, double t) {
        double u = Math.max(0, Math.min(1, t));
        int r = (int) (((a >> 16) & 255) * (1 - u) + ((b >> 16) & 255) * u);
        int g = (int) (((a >> 8) & 255) * (1 - u) + ((b >> 8) & 255) * u);
        int bl = (int) ((a & 255) * (1 - u) + (b & 255) * u);
        return 0xff000000 | r << 16 | g << 8 | bl;
    }
}
