package org.splitpoint.app.common;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

/**
 * A label that wraps its text between words only, for text with long unbreakable words (an image id
 * such as "prod-20261204-230858-5064-full"): a Label with {@code wrapText} breaks a word wider than
 * its line in the middle ("prod-20261204-230858-" / "5064-full"), which reads as two things. Here a
 * word that fits no line beside others starts a line of its own; one wider than the whole line ends
 * in an ellipsis. The whole text is set through {@link #wholeProperty()} and is also the label's
 * tooltip; {@link #getText()} is what it shows at its present width (its lines joined by line feeds).
 */
public class WordWrapLabel extends Label {

    private static final String ELLIPSIS = "…";
    private final StringProperty whole = new SimpleStringProperty(this, "whole", "");
    private final Tooltip tip = new Tooltip();
    /** Measures words and lines in the label's font. */
    private final Text measure = new Text();
    private String cachedFor;
    private Font cachedFont;
    private double cachedWidth = Double.NaN;
    private String cached;

    public WordWrapLabel() {
        setWrapText(false); // the lines are made here; each fits, so the skin cuts none
        setEllipsisString(ELLIPSIS);
        setMinWidth(0);
        setMinHeight(USE_PREF_SIZE);
        whole.addListener((o, was, now) -> {
            tip.setText(now);
            setText(wrap(getWidth() > 0 ? available(getWidth()) : -1));
            requestLayout();
        });
        fontProperty().addListener((o, was, now) -> requestLayout());
        setTooltip(tip);
    }

    /** The whole text; what shows is it wrapped between words to the label's width. */
    public final StringProperty wholeProperty() {
        return whole;
    }

    public final String getWhole() {
        return whole.get();
    }

    public final void setWhole(String text) {
        whole.set(text);
    }

    @Override
    public Orientation getContentBias() {
        return Orientation.HORIZONTAL;
    }

    /** As wide as the whole text on one line: a row gives it what it can, and it wraps in that. */
    @Override
    protected double computePrefWidth(double height) {
        Insets pad = getLabelPadding();
        return snappedLeftInset() + snappedRightInset() + pad.getLeft() + pad.getRight() + width(wrap(-1));
    }

    @Override
    protected double computePrefHeight(double width) {
        Insets pad = getLabelPadding();
        String shown = wrap(width < 0 ? -1 : available(width));
        measure.setFont(getFont());
        measure.setLineSpacing(getLineSpacing());
        measure.setBoundsType(javafx.scene.text.TextBoundsType.LOGICAL_VERTICAL_CENTER); // as the skin's text
        measure.setText(shown.isEmpty() ? " " : shown);
        return snappedTopInset() + snappedBottomInset() + pad.getTop() + pad.getBottom()
                + Math.ceil(measure.getLayoutBounds().getHeight());
    }

    @Override
    protected void layoutChildren() {
        String shown = wrap(available(getWidth()));
        if (!shown.equals(getText())) {
            setText(shown);
        }
        super.layoutChildren();
    }

    /** The width the label needs to show its widest word whole (its insets included). */
    public double widestWordWidth() {
        String text = whole.get() == null ? "" : whole.get();
        double widest = 0;
        for (String word : text.split("[ \n]+")) {
            widest = Math.max(widest, width(word));
        }
        Insets pad = getLabelPadding();
        return widest + 1 + snappedLeftInset() + snappedRightInset() + pad.getLeft() + pad.getRight();
    }

    /** The width for text in a label {@code width} wide. */
    private double available(double width) {
        Insets pad = getLabelPadding();
        return width - snappedLeftInset() - snappedRightInset() - pad.getLeft() - pad.getRight();
    }

    /** The whole text in lines no wider than {@code avail} (no limit when it is not positive). */
    String wrap(double avail) {
        String text = whole.get() == null ? "" : whole.get();
        if (text.equals(cachedFor) && getFont().equals(cachedFont) && Double.compare(avail, cachedWidth) == 0) {
            return cached;
        }
        String result = avail <= 0 ? text : wrap(text, avail);
        cachedFor = text;
        cachedFont = getFont();
        cachedWidth = avail;
        cached = result;
        return result;
    }

    private String wrap(String text, double avail) {
        // a pixel of room: the skin ellipsises a line that its own measure finds a hair wider
        double room = avail - 1;
        List<String> lines = new ArrayList<>();
        for (String paragraph : text.split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.split(" +")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (line.length() > 0 && width(line + " " + word) <= room) {
                    line.append(' ').append(word);
                    continue;
                }
                if (line.length() > 0) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                if (width(word) <= room) {
                    line.append(word);
                } else {
                    lines.add(cut(word, room)); // fills its line: the next word starts the next one
                }
            }
            if (line.length() > 0 || lines.isEmpty() || paragraph.isBlank()) {
                lines.add(line.toString());
            }
        }
        return String.join("\n", lines);
    }

    /** The longest start of {@code word} that fits {@code room} with an ellipsis after it. */
    private String cut(String word, double room) {
        int lo = 0;
        int hi = word.length();
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (width(word.substring(0, mid) + ELLIPSIS) <= room) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return word.substring(0, lo) + ELLIPSIS;
    }

    private double width(String s) {
        measure.setFont(getFont());
        measure.setLineSpacing(0);
        measure.setBoundsType(javafx.scene.text.TextBoundsType.LOGICAL);
        measure.setText(s);
        return measure.getLayoutBounds().getWidth();
    }
}
