package org.splitpoint.app.backup;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableView;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

/**
 * The images tree's column widths: the image column takes the width the others leave (ids are long
 * and are what is typed to restore or delete one: {@code --at ID}). The {@code first} columns step
 * aside when the ids would not show whole beside them (an id says its kind and time), or in a
 * narrow window; in a narrower one the {@code then} columns too (the lines under the table say all),
 * unless the administrator chose columns from the column menu.
 */
final class ImageColumns {

    static final double ALL_FROM = 750;
    static final double SOME_FROM = 580;
    /** A tree level's indent and a row's disclosure arrow, cell padding and warning badge, px. */
    private static final double INDENT = 18;
    private static final double ROW_EXTRA = 48;

    private ImageColumns() {
    }

    /** Sets the columns up; the returned action fits them again (after the listing changed). */
    static Runnable fit(TreeTableView<BackupRow> tree, TreeTableColumn<BackupRow, ?> name,
                        List<TreeTableColumn<BackupRow, ?>> first, List<TreeTableColumn<BackupRow, ?>> then) {
        boolean[] chosen = {false};
        boolean[] busy = {false}; // our own changes of visibility call back in: neither a choice nor a new fit
        Runnable fit = () -> {
            double w = tree.getWidth();
            if (w <= 0 || busy[0]) {
                return;
            }
            busy[0] = true;
            try {
                if (!chosen[0]) {
                    boolean some = w >= SOME_FROM;
                    double beside = 0; // what the other columns take with the first ones shown
                    for (TreeTableColumn<BackupRow, ?> c : tree.getColumns()) {
                        if (c != name && (first.contains(c) || (then.contains(c) ? some : c.isVisible()))) {
                            beside += c.getWidth();
                        }
                    }
                    boolean idsFit = w - beside - 20 >= idsWidth(tree);
                    then.forEach(c -> c.setVisible(some));
                    first.forEach(c -> c.setVisible(w >= ALL_FROM && idsFit));
                }
                name.setPrefWidth(Math.max(name.getMinWidth(), w - othersWidth(tree, name) - 20));
            } finally {
                busy[0] = false;
            }
        };
        List<TreeTableColumn<BackupRow, ?>> stepping = new ArrayList<>(first);
        stepping.addAll(then);
        for (TreeTableColumn<BackupRow, ?> c : stepping) {
            c.visibleProperty().addListener(o -> chosen[0] |= !busy[0]);
        }
        tree.widthProperty().addListener(o -> fit.run());
        for (TreeTableColumn<BackupRow, ?> c : tree.getColumns()) {
            if (c != name) {
                c.widthProperty().addListener(o -> fit.run());
                c.visibleProperty().addListener(o -> fit.run());
            }
        }
        return fit;
    }

    private static double othersWidth(TreeTableView<BackupRow> tree, TreeTableColumn<BackupRow, ?> name) {
        double others = 0;
        for (TreeTableColumn<BackupRow, ?> c : tree.getColumns()) {
            if (c != name && c.isVisible()) {
                others += c.getWidth();
            }
        }
        return others;
    }

    /**
     * Widens {@code column} to show {@code text} of every listed row whole ("24,000 of 32,768" was cut
     * to "24,000 of 32…" in the Tracks held column's 104 px); it is never narrowed here, so a width the
     * administrator dragged it to stays unless a listed text needs more. Rows under collapsed ones
     * count too: expanding one must not cut it.
     */
    static void widenToShow(TreeTableView<BackupRow> tree, TreeTableColumn<BackupRow, ?> column,
                            java.util.function.Function<BackupRow, String> text) {
        Text t = new Text();
        t.setFont(Font.getDefault());
        double need = widest(tree.getRoot(), 0, true, (row, level) -> width(t, text.apply(row))) + CELL_PADDING;
        if (need > column.getWidth()) {
            column.setPrefWidth(need);
        }
    }

    /** A cell's padding and the column's resize margin, px. */
    private static final double CELL_PADDING = 24;

    /** The width the image column needs to show every listed name whole; 0 with nothing listed. */
    static double idsWidth(TreeTableView<BackupRow> tree) {
        Text t = new Text();
        t.setFont(Font.getDefault());
        return widest(tree.getRoot(), 0, false, (row, level) -> INDENT * level + ROW_EXTRA + width(t, row.name()));
    }

    /** {@code s}'s width in {@code t}'s font. */
    private static double width(Text t, String s) {
        t.setText(s);
        return t.getLayoutBounds().getWidth();
    }

    /**
     * The largest {@code width} of {@code item}'s rows at tree {@code level} and below; {@code
     * collapsedToo}: also of rows under collapsed ones.
     */
    private static double widest(TreeItem<BackupRow> item, int level, boolean collapsedToo,
                                 java.util.function.ToDoubleBiFunction<BackupRow, Integer> width) {
        double w = 0;
        if (item == null) {
            return 0;
        }
        for (TreeItem<BackupRow> c : item.getChildren()) {
            w = Math.max(w, width.applyAsDouble(c.getValue(), level));
            if (collapsedToo || c.isExpanded()) {
                w = Math.max(w, widest(c, level + 1, collapsedToo, width));
            }
        }
        return w;
    }
}
