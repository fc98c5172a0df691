package org.splitpoint.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.collections.FXCollections;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListView;
import javafx.scene.shape.MoveTo;
import javafx.scene.shape.PathElement;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A job's title wraps between words only: an instant restore's image id, wider than the Jobs column
 * at a 1024 px window (about 217 px, the title in bold), was cut in the middle of the id by the
 * label's wrapping ("…-230858-" on one line, "5064-full" on the next). The id shows whole on a line
 * of its own when it fits, else ends in an ellipsis; the whole title is in the title's tooltip.
 */
class JobTitleWrapFxTest extends PoolWindowFxTest {

    static final String ID = "prod-20261204-230858-5064-full";
    static final String TITLE = "instant restore of prod from " + ID;

    private ListView<JobRow> list() {
        @SuppressWarnings("unchecked")
        ListView<JobRow> l = (ListView<JobRow>) fx.view.lookup(".jobs-view .list-view");
        return l;
    }

    /** The rendered lines of {@code t}: its text split where a character's caret moves down (and at line feeds). */
    static List<String> lines(Text t) {
        String s = t.getText() == null ? "" : t.getText();
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        double y = Double.NaN;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                out.add(cur.toString());
                cur.setLength(0);
                y = Double.NaN;
                continue;
            }
            double cy = caretY(t, i);
            if (!Double.isNaN(y) && Math.abs(cy - y) > 0.5 && cur.length() > 0) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            y = cy;
            cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    private static double caretY(Text t, int i) {
        for (PathElement e : t.caretShape(i, true)) {
            if (e instanceof MoveTo m) {
                return m.getY();
            }
        }
        return Double.NaN;
    }

    /**
     * What is wrong with the lines shown for {@code title}: its words, in order, each whole or (one
     * that no line holds) a start of it ending in an ellipsis; a word cut over two lines makes more words.
     */
    static List<String> problems(List<String> lines, String title) {
        List<String> shown = new ArrayList<>();
        for (String line : lines) {
            for (String w : line.trim().split("\\s+")) {
                if (!w.isEmpty()) {
                    shown.add(w);
                }
            }
        }
        String[] words = title.split(" ");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            String w = shown.get(i);
            if (i >= words.length) {
                out.add("extra word '" + w + "'");
            } else if (!w.equals(words[i]) && !(w.endsWith("\u2026") && words[i].startsWith(w.substring(0, w.length() - 1)))) {
                out.add("'" + w + "' for '" + words[i] + "'");
            }
        }
        if (shown.size() < words.length) {
            out.add("words missing after '" + String.join(" ", shown) + "'");
        }
        return out;
    }

    @Test
    void anInstantRestoresImageIdIsNeverCutInTheMiddle(FxRobot robot) throws Exception {
        JobRow row = onFx(() -> {
            JobRow r = fx.vm.jobs().sampleRow();
            r.update(new org.splitpoint.engine.job.JobProgress("instant-restore prod", "instant-restore", "prod",
                    org.splitpoint.engine.job.JobState.RUNNING, 0, 1, 65536, 0, -1, 0, ""), TITLE);
            list().setItems(FXCollections.observableArrayList(r));
            return r;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> list().lookup(".job-title") != null));
        List<String> wrong = new ArrayList<>();
        boolean wrapped = false;
        boolean wholeSomewhere = false;
        for (int w : new int[] {900, 960, 1024, 1100, 1200, 1280, 1366, 1440}) {
            fx.resize(robot, w, 800);
            WaitForAsyncUtils.waitForFxEvents(3);
            List<String> lines = onFx(() -> lines((Text) list().lookup(".job-title").lookup(".text")));
            double width = onFx(() -> ((Labeled) list().lookup(".job-title")).getWidth());
            wrapped |= lines.size() > 1;
            double cell = onFx(() -> ((javafx.scene.layout.Region) list().lookup(".job-cell")).getWidth());
            double id = onFx(() -> {
                Text m = new Text(ID);
                m.setFont(((Labeled) list().lookup(".job-title")).getFont());
                return m.getLayoutBounds().getWidth();
            });
            if (cell - 10 >= id && lines.stream().noneMatch(x -> x.contains(ID))) {
                wrong.add("window " + w + " px, row " + Math.round(cell) + " px wide, id " + Math.round(id) + " px, " + lines
                        + ": the id not whole");
            }
            wholeSomewhere |= lines.stream().anyMatch(x -> x.contains(ID));
            for (String p : problems(lines, TITLE)) {
                wrong.add("window " + w + " px, title " + Math.round(width) + " px wide, " + lines + ": " + p);
            }
        }
        assertThat(wrong).as("the title's words as shown").isEmpty();
        assertThat(wholeSomewhere).as("the id whole at some width (the wider ones)").isTrue();
        assertThat(wrapped).as("the title wrapped at some width (else the test shows nothing)").isTrue();
        Node title = onFx(() -> list().lookup(".job-title"));
        assertThat(onFx(() -> ((javafx.scene.control.Control) title).getTooltip() == null ? null
                : ((javafx.scene.control.Control) title).getTooltip().getText())).as("the title's tooltip").isEqualTo(TITLE);
        assertThat(row.titleProperty().get()).isEqualTo(TITLE);
    }

    /**
     * The title alone, bold as in the Jobs list, at fixed widths: the id shows whole on a line of its
     * own from the width that holds it, and ends in an ellipsis below it; never cut in two.
     */
    @Test
    void theIdIsWholeOnALineOfItsOwnWhenItFitsElseEndsInAnEllipsis() throws Exception {
        List<String> wrong = onFx(() -> {
            org.splitpoint.app.common.WordWrapLabel l = new org.splitpoint.app.common.WordWrapLabel();
            l.setStyle("-fx-font-weight: bold;");
            javafx.scene.layout.Pane pane = new javafx.scene.layout.Pane(l);
            new javafx.scene.Scene(pane);
            l.setWhole(TITLE);
            pane.applyCss();
            Text m = new Text(ID);
            m.setFont(l.getFont());
            double idWidth = m.getLayoutBounds().getWidth();
            List<String> out = new ArrayList<>();
            for (double w : new double[] {80, 120, 160, idWidth - 2, idWidth + 2, idWidth + 40, 2 * idWidth, 3 * idWidth}) {
                l.resize(w, l.prefHeight(w));
                l.layout();
                List<String> lines = lines((Text) l.lookup(".text"));
                problems(lines, TITLE).forEach(p -> out.add(w + " px " + lines + ": " + p));
                boolean whole = lines.stream().anyMatch(x -> x.contains(ID));
                if (whole != (w >= idWidth + 2)) {
                    out.add(w + " px (id " + idWidth + " px) " + lines + ": id " + (whole ? "whole" : "not whole"));
                }
                if (l.getHeight() + 0.5 < ((Text) l.lookup(".text")).getLayoutBounds().getHeight()) {
                    out.add(w + " px: " + l.getHeight() + " px high for its text's " + ((Text) l.lookup(".text")).getLayoutBounds().getHeight());
                }
            }
            if (!TITLE.equals(l.getTooltip().getText())) {
                out.add("tooltip " + l.getTooltip().getText());
            }
            return out;
        });
        assertThat(wrong).as("the title at fixed widths").isEmpty();
    }
}
