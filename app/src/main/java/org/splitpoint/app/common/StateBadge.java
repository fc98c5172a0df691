package org.splitpoint.app.common;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.shape.FillRule;
import javafx.scene.shape.SVGPath;

/** A state shown as glyph + word, coloured by tone ({@code .state-badge.tone-bad .glyph} in Theme.css). */
public class StateBadge extends HBox {

    private final SVGPath glyph = new SVGPath();
    private final Label word = new Label();
    private StateLook look;

    public StateBadge() {
        getStyleClass().add("state-badge");
        glyph.getStyleClass().add("glyph");
        glyph.setFillRule(FillRule.EVEN_ODD);
        word.getStyleClass().add("state-word");
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(5);
        getChildren().addAll(glyph, word);
    }

    public StateBadge(StateLook look) {
        this();
        show(look);
    }

    /** Shows {@code look}, or nothing for null. */
    public final void show(StateLook look) {
        if (look != null && look.equals(this.look)) {
            return;
        }
        // the tone's class is changed only when the tone is: a word that changes at each update under one tone (a
        // verify's "35.7%") took the class away and back each time
        StateLook.Tone was = this.look == null ? null : this.look.tone();
        StateLook.Tone now = look == null ? null : look.tone();
        if (was != null && was != now) {
            getStyleClass().remove(was.styleClass());
        }
        this.look = look;
        glyph.setVisible(look != null);
        glyph.setContent(look == null ? "" : look.glyph().path());
        word.setText(look == null ? "" : look.word());
        if (now != null && now != was) {
            getStyleClass().add(now.styleClass());
        }
    }

    /**
     * Glyph only (the word hidden, taking no room) when {@code compact}: where a name beside the
     * badge would otherwise be cut to nothing, the name matters more and the word goes to a tooltip.
     */
    public final void setCompact(boolean compact) {
        word.setManaged(!compact);
        word.setVisible(!compact);
    }

    public boolean isCompact() {
        return !word.isManaged();
    }

    /** The room the word takes when shown: its width and the gap before it. */
    public double wordRoom() {
        return word.prefWidth(-1) + getSpacing();
    }

    public StateLook look() {
        return look;
    }

    /** The word shown (for tests and accessibility). */
    public String text() {
        return word.getText();
    }
}
