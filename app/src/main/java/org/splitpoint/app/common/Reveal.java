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
        if (p instanceof ScrollPane sp) {
            reveal(sp, n, tries);
        }
    }

    /**
     * A control that took the keyboard focus inside {@code sp}'s page (Tab, a shortcut) is scrolled into view
     * when it lies wholly or partly out of it: a page's scroll pane does not follow the focus by itself, and
     * Tab went on to controls below the window's edge, the focus unseen. A control taller than the view that
     * shows in part (a table) is left where it is, as a click on it leaves it.
     */
    public static void revealFocused(ScrollPane sp, Node n) {
        if (sp.getContent() == null || sp.getViewportBounds().getHeight() <= 0) {
            return;
        }
        Bounds b = sp.getContent().sceneToLocal(n.localToScene(n.getBoundsInLocal()));
        double content = sp.getContent().getBoundsInLocal().getHeight();
        double viewport = sp.getViewportBounds().getHeight();
        double top = sp.getVvalue() * Math.max(0, content - viewport);
        boolean cut = b.getMinY() < top - 0.5 || b.getMaxY() > top + viewport + 0.5;
        boolean partlyShownAndTaller = b.getHeight() > viewport && b.getMaxY() > top && b.getMinY() < top + viewport;
        if (cut && !partlyShownAndTaller) {
            reveal(sp, n, 0);
        }
    }

    private static void reveal(ScrollPane sp, Node n, int tries) {
        if (sp.getContent() == null) {
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
                javafx.application.Platform.runLater(() -> reveal(sp, n, tries - 1));
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
