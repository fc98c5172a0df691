package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The layout diagram draws what the volume is. Seen by hand on the demo pool: prod (raid5 over d1..d3)
 * was drawn as "all · copy 1 · copy 2 · copy 3", a three-way mirror, while its parity placement had
 * not been read from the engine: an empty placement fell through to raid1's row of copies.
 */
@ExtendWith(ApplicationExtension.class)
class LayoutDiagramFxTest {

    private LayoutDiagram diagram;

    @Start
    void start(Stage stage) {
        diagram = new LayoutDiagram();
        stage.setScene(new javafx.scene.Scene(new StackPane(diagram), 400, 200));
        stage.show();
    }

    private List<String> cells() throws Exception {
        return onFx(() -> diagram.getChildren().stream().filter(n -> n instanceof Label).map(n -> ((Label) n).getText())
                .toList());
    }

    @Test
    void aParityVolumeWhosePlacementIsNotKnownYetIsNotDrawnAsCopies() throws Exception {
        List<VolumeViewModel.Member> members = List.of(new VolumeViewModel.Member("d1", DriveState.ONLINE),
                new VolumeViewModel.Member("d2", DriveState.ONLINE), new VolumeViewModel.Member("d3", DriveState.ONLINE));
        onFx(() -> {
            diagram.show(Layout.RAID5, members, new int[0][]);
            return null;
        });
        assertThat(cells()).noneMatch(t -> t.startsWith("copy")).doesNotContain("all");

        onFx(() -> {
            diagram.show(Layout.RAID1, members.subList(0, 2), new int[0][]);
            return null;
        });
        assertThat(cells()).contains("all", "copy 1", "copy 2");
    }
}
