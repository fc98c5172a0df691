package org.splitpoint.app.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import javafx.css.PseudoClass;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.Pool;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** A workload page opened after its errors were counted shows the verify line red at once (it stayed green). */
@ExtendWith(ApplicationExtension.class)
class WorkloadErrorsFxTest {

    @TempDir
    static Path tmp;
    private Pool pool;

    @Start
    void start(Stage stage) throws Exception {
        pool = Pool.open(TestPools.demo(tmp.resolve("t" + System.nanoTime())));
        Expectations e = new Expectations();
        new Workload("prod", pool::device, e, new WorkloadSettings(0, 1 << 20, 0, false, true)).step();
        pool.device("prod").write(0, ByteBuffer.allocate(4096)); // a lost write
        Workload reader = new Workload("prod", pool::device, e, new WorkloadSettings(100, 1 << 20, 0, false, true));
        reader.step();
        WorkloadViewModel vm = new WorkloadViewModel(reader, new ActionStatus());
        vm.apply(reader.stats()); // counted before the page is made
        WorkloadView view = new WorkloadView();
        view.bind(vm);
        stage.setScene(new Scene(view, 900, 300));
        stage.show();
    }

    @AfterEach
    void close() throws Exception {
        pool.close();
    }

    @Test
    void theVerifyLineIsRedFromTheFirstError(FxRobot robot) throws Exception {
        Label line = robot.lookup(".verify-line").queryAs(Label.class);
        assertThat(onFx(line::getText)).isEqualTo("verified 1 block, 1 error");
        assertThat(onFx(() -> line.getPseudoClassStates().contains(PseudoClass.getPseudoClass("errors")))).isTrue();
    }
}
