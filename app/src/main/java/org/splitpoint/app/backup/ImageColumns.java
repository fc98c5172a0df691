package org.splitpoint.app.backup;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableView;

/**
 * The images tree's column widths: the image column takes the width the others leave (ids are long
 * and are what is typed to delete). In a narrow window the {@code first} columns step aside, in a
 * narrower one the {@code then} columns too (an id says its kind and time, and the lines under the
 * table say all), unless the administrator chose columns from the column menu.
 */
final class ImageColumns {

    static final double ALL_FROM = 750;
    static final double SOME_FROM = 580;

    private ImageColumns() {
    }

    static void fit(TreeTableView<BackupRow> tree, TreeTableColumn<BackupRow, ?> name,
                    List<TreeTableColumn<BackupRow, ?>> first, List<TreeTableColumn<BackupRow, ?>> then) {
        boolean[] chosen = {false};
        boolean[] ours = {false};
        Runnable fit = () -> {
            double w = tree.getWidth();
            if (w <= 0) {
                return;
            }
            if (!chosen[0]) {
                ours[0] = true;
                first.forEach(c -> c.setVisible(w >= ALL_FROM));
                then.forEach(c -> c.setVisible(w >= SOME_FROM));
                ours[0] = false;
            }
            double others = 0;
            for (TreeTableColumn<BackupRow, ?> c : tree.getVisibleLeafColumns()) {
                if (c != name) {
                    others += c.getWidth();
                }
            }
            name.setPrefWidth(Math.max(name.getMinWidth(), w - others - 20));
        };
        List<TreeTableColumn<BackupRow, ?>> stepping = new ArrayList<>(first);
        stepping.addAll(then);
        for (TreeTableColumn<BackupRow, ?> c : stepping) {
            c.visibleProperty().addListener(o -> chosen[0] |= !ours[0]);
        }
        tree.widthProperty().addListener(o -> fit.run());
        for (TreeTableColumn<BackupRow, ?> c : tree.getColumns()) {
            if (c != name) {
                c.widthProperty().addListener(o -> fit.run());
                c.visibleProperty().addListener(o -> fit.run());
            }
        }
    }
}
