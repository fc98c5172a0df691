package org.splitpoint.app.jobs;

import javafx.beans.InvalidationListener;
import javafx.beans.WeakInvalidationListener;
import javafx.collections.ObservableList;
import javafx.css.PseudoClass;
import javafx.event.EventHandler;
import javafx.geometry.HPos;
import javafx.geometry.VPos;
import javafx.scene.AccessibleAttribute;
import javafx.scene.AccessibleRole;
import javafx.scene.control.ListCell;
import javafx.scene.control.Skin;
import javafx.scene.control.SkinBase;
import javafx.scene.control.skin.ComboBoxListViewSkin;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.text.Text;
import javafx.util.StringConverter;

/**
 * A job's limit as a Jobs row offers it: the copy throttle's steps ("unlimited" last), plus the
 * job's own value when it is none of them (set with {@code job throttle 7}). {@link #show} moves it
 * to the job's value without that counting as the user's choice.
 *
 * <p>Until it is first used it wears a {@link Face}: the ComboBox's look (the same nodes and style
 * classes, the same size) without its skin. The ComboBox skin makes a popup list with a skin,
 * scroll bars and a cell per step, all styled and measured with the row (the list is a hidden child
 * of the box): with the row's other parts that held the window's thread 300-380 ms when the
 * first job appeared during a restore (bench/gui-bench.sh). The first press on it or the first
 * focus puts the ComboBox's own skin in place ({@link #open}), which then opens, chooses and
 * answers the keyboard as any ComboBox.
 */
final class LimitChoice extends org.splitpoint.app.restore.ThrottleChoice {

    private boolean showing;

    /** Shows {@code bytesPerSecond} (adding it to the choices when no step matches). */
    void show(long bytesPerSecond) {
        showing = true;
        try {
            if (!getItems().contains(bytesPerSecond)) {
                java.util.List<Long> limits = new java.util.ArrayList<>(getItems());
                limits.add(bytesPerSecond);
                limits.sort((a, b) -> a == 0 ? 1 : b == 0 ? -1 : Long.compare(a, b)); // "unlimited" last
                getItems().setAll(limits);
            }
            setValue(bytesPerSecond);
        } finally {
            showing = false;
        }
    }

    /** True while {@link #show} moves the value (not the user). */
    boolean following() {
        return showing;
    }

    @Override
    protected Skin<?> createDefaultSkin() {
        return new Face(this);
    }

    /** Puts the ComboBox's own skin (its behaviour and popup list) in place, styled and laid out; once. */
    void open() {
        if (!opened()) {
            setSkin(new ComboBoxListViewSkin<>(this));
            applyCss();
            layout();
        }
    }

    /** True once the ComboBox's own skin is in place (after the first press or focus). */
    boolean opened() {
        return getSkin() instanceof ComboBoxListViewSkin;
    }

    /**
     * The ComboBox's face without its skin: the shown value in a list cell and the arrow button, as
     * {@code ComboBoxBaseSkin} lays them out, and as wide as {@code ComboBoxListViewSkin} makes the
     * box (its popup list as wide as the widest step in a cell, plus 30; modena's paddings). Pressing it or focusing it opens the
     * real skin; its parts are transparent to the mouse, so the press and its release are the
     * box's own, and the real skin's behaviour takes the release (it shows the popup).
     */
    static final class Face extends SkinBase<LimitChoice> {

        private static final PseudoClass EMPTY = PseudoClass.getPseudoClass("empty");
        private static final PseudoClass FILLED = PseudoClass.getPseudoClass("filled");
        private static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");
        /** What {@code ComboBoxListViewSkin} adds to its list's widest cell for the box's width. */
        private static final double LIST_EXTRA = 30;
        /** Modena's padding of a list cell each side (0.583333em), which the popup list's cells have. */
        private static final double LIST_CELL_PADDING_EM = 0.583333;
        /** Modena's padding of a list view each side (1 px), which the popup list has. */
        private static final double LIST_PADDING = 1;

        private final ListCell<Long> cell = new ListCell<>();
        private final StackPane arrowButton = new StackPane();
        private final Region arrow = new Region();
        /** The widest step's text at {@link #widestFont}; -1: to measure. */
        private double widest = -1;
        private javafx.scene.text.Font widestFont;
        private ObservableList<Long> items;
        private final InvalidationListener changed = o -> changed();
        private final InvalidationListener weakChanged = new WeakInvalidationListener(changed);
        private final InvalidationListener itemsReplaced = o -> follow(getSkinnable().getItems());
        private final InvalidationListener focused = o -> {
            if (getSkinnable().isFocused()) {
                getSkinnable().open(); // the keyboard's way in: the real skin takes the keys
            }
        };
        private final EventHandler<MouseEvent> pressed = e -> {
            if (e.getButton() != MouseButton.PRIMARY) {
                return;
            }
            LimitChoice box = getSkinnable();
            e.consume(); // as the ComboBox's behaviour does: the list row under it is not selected
            box.open();
            if (!(e.isMiddleButtonDown() || e.isSecondaryButtonDown() || e.isShiftDown() || e.isControlDown()
                    || e.isAltDown() || e.isMetaDown()) && !box.isArmed()) {
                box.arm(); // as the behaviour's own press would; its release disarms and shows the popup
            }
        };

        Face(LimitChoice box) {
            super(box);
            arrow.getStyleClass().setAll("arrow");
            arrow.setId("arrow");
            arrow.setMaxWidth(Region.USE_PREF_SIZE);
            arrow.setMaxHeight(Region.USE_PREF_SIZE);
            arrow.setMouseTransparent(true);
            arrow.setFocusTraversable(false);
            arrowButton.getStyleClass().setAll("arrow-button");
            arrowButton.setId("arrow-button");
            arrowButton.getChildren().add(arrow);
            arrowButton.setMouseTransparent(true);
            arrowButton.setFocusTraversable(false);
            cell.setMouseTransparent(true);
            cell.setFocusTraversable(false);
            cell.setAccessibleRole(AccessibleRole.NODE);
            getChildren().setAll(arrowButton, cell);
            box.valueProperty().addListener(weakChanged);
            box.converterProperty().addListener(weakChanged);
            box.itemsProperty().addListener(itemsReplaced);
            follow(box.getItems());
            box.focusedProperty().addListener(focused);
            box.addEventHandler(MouseEvent.MOUSE_PRESSED, pressed);
            update();
        }

        private void follow(ObservableList<Long> list) {
            if (items != null) {
                items.removeListener(weakChanged);
            }
            items = list;
            if (items != null) {
                items.addListener(weakChanged);
            }
            changed();
        }

        private void changed() {
            widest = -1;
            update();
            getSkinnable().requestLayout();
        }

        /** The value in the cell as the ComboBox's button cell shows it (its index, text and states). */
        private void update() {
            LimitChoice box = getSkinnable();
            if (box == null) {
                return;
            }
            Long value = box.getValue();
            cell.updateIndex(items == null ? -1 : items.indexOf(value)); // :odd/:even as the button cell's
            String text = text(box, value);
            cell.setText(text);
            boolean empty = text == null || text.isEmpty();
            cell.pseudoClassStateChanged(EMPTY, empty);
            cell.pseudoClassStateChanged(FILLED, !empty);
            cell.pseudoClassStateChanged(SELECTED, true);
        }

        private static String text(LimitChoice box, Long value) {
            StringConverter<Long> c = box.getConverter();
            return c == null ? (value == null ? null : value.toString()) : c.toString(value);
        }

        /** The widest step's text in the cell's font (what the popup list's widest cell holds). */
        private double widest() {
            javafx.scene.text.Font font = cell.getFont();
            if (widest < 0 || !font.equals(widestFont)) {
                Text t = new Text();
                t.setFont(font);
                double w = 0;
                if (items != null) {
                    for (Long v : items) {
                        t.setText(text(getSkinnable(), v));
                        w = Math.max(w, t.getLayoutBounds().getWidth());
                    }
                }
                widest = w;
                widestFont = font;
            }
            return widest;
        }

        private double arrowButtonWidth() {
            return arrowButton.snappedLeftInset() + snapSizeX(arrow.prefWidth(-1)) + arrowButton.snappedRightInset();
        }

        @Override
        protected void layoutChildren(double x, double y, double w, double h) {
            double arrowButtonWidth = arrowButtonWidth();
            cell.resizeRelocate(x, y, w - arrowButtonWidth, h);
            arrowButton.resize(arrowButtonWidth, h);
            positionInArea(arrowButton, (x + w) - arrowButtonWidth, y, arrowButtonWidth, h, 0, HPos.CENTER, VPos.CENTER);
        }

        @Override
        protected double computeMinWidth(double height, double topInset, double rightInset, double bottomInset,
                                         double leftInset) {
            return 50; // as ComboBoxListViewSkin
        }

        @Override
        protected double computePrefWidth(double height, double topInset, double rightInset, double bottomInset,
                                          double leftInset) {
            double shown = leftInset + cell.prefWidth(height) + arrowButtonWidth() + rightInset;
            double cellPadding = snapSpaceX(LIST_CELL_PADDING_EM * cell.getFont().getSize());
            double list = Math.max(getSkinnable().getWidth(), widest() + 2 * cellPadding + 2 * LIST_PADDING + LIST_EXTRA);
            return Math.max(shown, Math.max(50, list));
        }

        @Override
        protected double computePrefHeight(double width, double topInset, double rightInset, double bottomInset,
                                           double leftInset) {
            return topInset + cell.prefHeight(width) + bottomInset;
        }

        @Override
        protected double computeMaxWidth(double height, double topInset, double rightInset, double bottomInset,
                                         double leftInset) {
            return getSkinnable().prefWidth(height);
        }

        @Override
        protected double computeMaxHeight(double width, double topInset, double rightInset, double bottomInset,
                                          double leftInset) {
            return getSkinnable().prefHeight(width);
        }

        @Override
        protected double computeBaselineOffset(double topInset, double rightInset, double bottomInset, double leftInset) {
            return cell.getLayoutBounds().getMinY() + cell.getLayoutY() + cell.getBaselineOffset();
        }

        @Override
        public Object queryAccessibleAttribute(AccessibleAttribute attribute, Object... parameters) {
            if (attribute == AccessibleAttribute.TEXT) {
                String own = getSkinnable().getAccessibleText();
                return own != null && !own.isEmpty() ? own : cell.getText();
            }
            return super.queryAccessibleAttribute(attribute, parameters);
        }

        @Override
        public void dispose() {
            LimitChoice box = getSkinnable();
            if (box != null) {
                box.valueProperty().removeListener(weakChanged);
                box.converterProperty().removeListener(weakChanged);
                box.itemsProperty().removeListener(itemsReplaced);
                if (items != null) {
                    items.removeListener(weakChanged);
                }
                box.focusedProperty().removeListener(focused);
                box.removeEventHandler(MouseEvent.MOUSE_PRESSED, pressed);
            }
            super.dispose();
        }
    }
}
