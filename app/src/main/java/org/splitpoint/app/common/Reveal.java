package org.splitpoint.app.common;

import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ScrollPane;

/** Scrolls the page a node is on (the detail pane's scroll pane) just far enough that the node is in view. */
public final class Reveal {

    private Reveal() {
    }

    /** Scrolls so that {@code n}'s bottom is in view, but never its top out of it; nothing outside a scroll pane. */
    public static void reveal(Node n) {
        reveal(n, 3);
    }

    private static void reveal(Node n, int tries) {
        Parent p = n.getParent();
        while (p != null && !(p instanceof ScrollPane)) {
            p = p.getParent();
        }
        if (!(p instanceof ScrollPane sp) || sp.getContent() == null) {
            return;
        }
        sp.layout(); // the node was just shown: its place is known after a layout
        if (sp.getContent() instanceof Parent c) {
            c.applyCss();
            c.layout();
        }
        double content = sp.getContent().getBoundsInLocal().getHeight();
        double viewport = sp.getViewportBounds().getHeight();
        if (viewport <= 0 || n.getBoundsInLocal().getHeight() <= 0) { // a page just shown: laid out by the next pulse
            if (tries > 0) {
                javafx.application.Platform.runLater(() -> reveal(n, tries - 1));
            }
            return;
        }
        if (content <= viewport) {
            return;
        }
        Bounds b = sp.getContent().sceneToLocal(n.localToScene(n.getBoundsInLocal()));
        double top = sp.getVvalue() * (content - viewport);
        if (b.getMaxY() > top + viewport || b.getMinY() < top) {
            double target = Math.min(b.getMinY(), b.getMaxY() - viewport); // its bottom in view, but never its top out
            sp.setVvalue(Math.max(0, Math.min(1, target / (content - viewport))));
        }
    }
}
