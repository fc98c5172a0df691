package org.splitpoint.app.pair;

import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Line;
import javafx.scene.shape.Polygon;
import javafx.util.Duration;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pair.PairState;

/**
 * STD ⇄ BCV: two boxes (volume name and invalid tracks) joined by a link that shows the state —
 * an arrow with marching dashes in the running copy's direction, a double arrow while mirroring,
 * a gap while split — and the state word above it ({@code #pairState}). The dashes only move while
 * a copy runs.
 */
public final class PairDiagram extends HBox {

    private final Label stdName = new Label();
    private final Label bcvName = new Label();
    private final Label stdInvalid = new Label();
    private final Label bcvInvalid = new Label();
    private final StateBadge state = new StateBadge();
    private final Label direction = new Label();
    private final Line line = new Line(0, 0, 170, 0);
    private final Polygon headRight = new Polygon(0, -7, 12, 0, 0, 7);
    private final Polygon headLeft = new Polygon(12, -7, 0, 0, 12, 7);
    private final Timeline march = new Timeline();
    private PairWords.Direction marching;

    public PairDiagram() {
        getStyleClass().add("pair-diagram");
        setAlignment(Pos.CENTER);
        setSpacing(10);
        state.setId("pairState");
        direction.getStyleClass().add("pair-direction");
        line.getStyleClass().add("pair-link");
        headRight.getStyleClass().add("pair-head");
        headLeft.getStyleClass().add("pair-head");
        march.setCycleCount(Animation.INDEFINITE);
        // the line follows the link's width and is not laid out itself: a line sized from its
        // container's width would hold that width as its minimum, and the console could grow with
        // the window but never shrink back (it stayed clipped after the window grew)
        line.setManaged(false);
        javafx.scene.layout.Pane link = new javafx.scene.layout.Pane(line);
        link.setMinWidth(40);
        link.setPrefWidth(170);
        link.setMinHeight(14);
        line.startYProperty().bind(link.heightProperty().divide(2));
        line.endYProperty().bind(link.heightProperty().divide(2));
        line.endXProperty().bind(link.widthProperty());
        HBox.setHgrow(link, Priority.ALWAYS);
        HBox arrow = new HBox(0, headLeft, link, headRight);
        arrow.setAlignment(Pos.CENTER);
        state.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // the state is what the diagram is for: never cut
        direction.setMinWidth(0);
        VBox middle = new VBox(6, state, arrow, direction);
        middle.setAlignment(Pos.CENTER);
        middle.getStyleClass().add("pair-middle");
        HBox.setHgrow(middle, Priority.ALWAYS);
        getChildren().addAll(side("STD", stdName, stdInvalid, "pair-std"), middle, side("BCV", bcvName, bcvInvalid, "pair-bcv"));
        // in a short window the console gives height up from its track map, not from the boxes' words
        setMinHeight(USE_PREF_SIZE);
    }

    private static VBox side(String role, Label name, Label invalid, String style) {
        Label r = new Label(role);
        r.getStyleClass().add("pair-role");
        name.getStyleClass().add("pair-volume");
        invalid.getStyleClass().add("pair-invalid");
        invalid.setMinWidth(0); // the sides give way before the state does: their counts wrap
        invalid.setWrapText(true);
        invalid.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        invalid.setTextAlignment(javafx.scene.text.TextAlignment.CENTER);
        name.setMinWidth(0);
        VBox box = new VBox(4, r, name, invalid);
        box.getStyleClass().addAll("pair-side", style);
        box.setAlignment(Pos.CENTER);
        return box;
    }

    void setNames(String std, String bcv) {
        stdName.setText(std);
        bcvName.setText(bcv);
    }

    void setInvalid(String std, String bcv) {
        stdInvalid.setText(twoLines(std));
        bcvInvalid.setText(twoLines(bcv));
    }

    /**
     * "181 tracks changed" over "(11.3 MiB)": a box in a narrow window cut the one-line count to
     * "181 tracks changed (11.3..." (a wrapping label in a box laid out at its one-line height does
     * not wrap, it ellipsises), so the size always takes the second line and the boxes stay narrow.
     */
    static String twoLines(String count) {
        return count == null ? null : count.replace(" (", "\n(");
    }

    /** {@code look} is the badge ({@link PairLook}: a FAILED side over the state's word), {@code s} the state. */
    void show(StateLook look, PairState s, PairWords.Direction d) {
        state.show(look != null ? look : s == null ? null : StateLook.of(s));
        headRight.setVisible(d == PairWords.Direction.STD_TO_BCV || d == PairWords.Direction.MIRROR);
        headLeft.setVisible(d == PairWords.Direction.BCV_TO_STD || d == PairWords.Direction.MIRROR);
        line.getStrokeDashArray().setAll(d == PairWords.Direction.NONE ? java.util.List.of(4.0, 14.0)
                : d == PairWords.Direction.MIRROR ? java.util.List.<Double>of() : java.util.List.of(10.0, 10.0));
        direction.setText(switch (d) {
            case STD_TO_BCV -> "copying STD → BCV";
            case BCV_TO_STD -> "restoring BCV → STD";
            case MIRROR -> "mirroring STD ⇄ BCV";
            case NONE -> s == PairState.NeverEstab ? "not established"
                    : s == PairState.Split || s == PairState.SplitInProg ? "split: independent"
                    : s == PairState.SyncInProg ? "copy stopped: the BCV is partly copied" // a cancelled establish
                    : "not mirroring: a side is FAILED"; // PairLook.direction
        });
        boolean copying = d == PairWords.Direction.STD_TO_BCV || d == PairWords.Direction.BCV_TO_STD;
        if (copying && d != marching) {
            march.stop();
            // a falling dash offset moves the dashes along the line (rightwards), a rising one back; in
            // 8 discrete steps a second, so the copy's motion costs 8 repaints a second, not one per pulse
            double step = d == PairWords.Direction.STD_TO_BCV ? -2.5 : 2.5;
            march.getKeyFrames().clear();
            for (int i = 0; i < 8; i++) {
                double offset = i * step;
                march.getKeyFrames().add(new KeyFrame(Duration.millis(i * 125.0), e -> line.setStrokeDashOffset(offset)));
            }
            march.getKeyFrames().add(new KeyFrame(Duration.millis(1000)));
            march.play();
        } else if (!copying) {
            march.stop();
            line.setStrokeDashOffset(0);
        }
        marching = copying ? d : null;
    }

    /** The state word shown (tests). */
    public String stateText() {
        return state.text();
    }
}
