package org.splitpoint.app.volumes;

import java.util.List;
import javafx.geometry.HPos;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;

/**
 * Which drives hold a volume and where its parity lives: one column per member (drive name and
 * state), one row per stripe with "D4" for data strip 4 and "P" for parity, as the engine places
 * them (only the heads until the engine has said where); for raid1 one row of full copies. A member that is not ONLINE has its column marked (an OFFLINE
 * one, out for service, in the service tone rather than as lost).
 */
public final class LayoutDiagram extends GridPane {

    public LayoutDiagram() {
        getStyleClass().add("layout-diagram");
        setHgap(4);
        setVgap(4);
    }

    void show(Layout layout, List<VolumeViewModel.Member> members, int[][] placement) {
        getChildren().clear();
        if (layout == null) {
            return;
        }
        Label stripe = new Label("stripe");
        stripe.getStyleClass().add("layout-head");
        add(stripe, 0, 0);
        for (int m = 0; m < members.size(); m++) {
            VolumeViewModel.Member mem = members.get(m);
            Label name = new Label(mem.drive());
            name.getStyleClass().add("layout-drive");
            StateBadge badge = new StateBadge(StateLook.of(mem.state()));
            badge.getStyleClass().add("layout-badge");
            javafx.scene.layout.VBox head = new javafx.scene.layout.VBox(2, name, badge);
            head.getStyleClass().add("layout-head-cell");
            add(head, m + 1, 0);
            GridPane.setHalignment(head, HPos.CENTER);
        }
        if (layout != Layout.RAID1 && placement.length == 0) {
            add(new Label("…"), 0, 1); // parity placed as the engine says, once read: never drawn as copies meanwhile
            return;
        }
        if (layout == Layout.RAID1) {
            add(new Label("all"), 0, 1);
            for (int m = 0; m < members.size(); m++) {
                add(cell("copy " + (m + 1), "layout-data", members.get(m).state()), m + 1, 1);
            }
            return;
        }
        for (int s = 0; s < placement.length; s++) {
            add(new Label(String.valueOf(s)), 0, s + 1);
            for (int m = 0; m < members.size() && m < placement[s].length; m++) {
                int k = placement[s][m];
                add(cell(k < 0 ? "P" : "D" + k, k < 0 ? "layout-parity" : "layout-data", members.get(m).state()),
                        m + 1, s + 1);
            }
        }
        add(new Label("…"), 0, placement.length + 1);
    }

    private static Label cell(String text, String style, DriveState member) {
        Label l = new Label(text);
        l.getStyleClass().addAll("layout-cell", style);
        if (member == DriveState.OFFLINE) { // out for service, not lost: its writes are kept in the window's delta
            l.getStyleClass().add("layout-offline");
            l.setText(text + " ‖");
        } else if (member != DriveState.ONLINE) {
            l.getStyleClass().add("layout-unavailable");
            l.setText(text + (member == DriveState.REBUILDING ? " ↻" : " ✕"));
        }
        l.setMaxWidth(Double.MAX_VALUE);
        return l;
    }
}
