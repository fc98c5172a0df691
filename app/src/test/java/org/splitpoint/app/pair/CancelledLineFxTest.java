package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * How a cancelled restore ended is the console's last line, and it was cut at the label's fixed
 * 230 px: "restore cancelled at 55% ·..." without the tracks it left unrestored.
 */
class CancelledLineFxTest extends PairConsoleWindowFxTest {

    /** The line's text and the text on screen. */
    private String[] line(FxRobot robot) throws Exception {
        return onFx(() -> {
            Label l = robot.lookup("#copyProgressText").queryAs(Label.class);
            Text shown = (Text) l.lookup(".text");
            return new String[] {l.getText(), shown == null ? "" : shown.getText()};
        });
    }

    @Test
    void aCancelledRestoresLastLineShowsInFull(FxRobot robot) throws Exception {
        String id = TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            pool.device("prod").write(0, ByteBuffer.wrap(new byte[8 << 20])); // 128 tracks to restore
            return pool.pairs().restore("prod-pair", false, true, 1_000_000).id();
        });
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> line(robot)[0].contains("MB/s"));
        TestPools.call(fx.bridge, pool -> {
            pool.job(id).cancel();
            return pool.job(id).await(10_000);
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> line(robot)[0].startsWith("restore cancelled"));
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass
        String[] l = line(robot);
        assertThat(l[0]).matches("restore cancelled at \\d{1,2}% · [\\d,]+ tracks? not restored");
        assertThat(l[1]).as("the line on screen").isEqualTo(l[0]);
    }
}
