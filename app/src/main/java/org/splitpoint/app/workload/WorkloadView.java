package org.splitpoint.app.workload;

import javafx.beans.binding.Bindings;
import javafx.css.PseudoClass;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Slider;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.Fxml;

/**
 * A volume's host workload: read/write mix, block size, rate, random or sequential, verify; start
 * and stop; and the live line "verified N blocks, 0 errors". FXML: WorkloadView.fxml.
 */
public final class WorkloadView extends VBox {

    private static final PseudoClass BAD = PseudoClass.getPseudoClass("errors");

    @FXML private Button startWorkload;
    @FXML private Button stopWorkload;
    @FXML private Slider readShare;
    @FXML private Label readShareLabel;
    @FXML private ComboBox<Integer> blockSize;
    @FXML private ComboBox<Long> rate;
    @FXML private RadioButton random;
    @FXML private RadioButton sequential;
    @FXML private CheckBox verify;
    @FXML private Label verifyLine;
    @FXML private Label ioLine;
    @FXML private Label problem;

    public WorkloadView() {
        Fxml.load(this, "WorkloadView");
    }

    public void bind(WorkloadViewModel vm) {
        startWorkload.disableProperty().bind(vm.runningProperty().or(vm.startBlockedProperty().isNotEmpty()).or(
                new javafx.beans.property.SimpleBooleanProperty(!vm.unavailable().isEmpty())));
        stopWorkload.disableProperty().bind(vm.runningProperty().not());
        startWorkload.setOnAction(e -> vm.start());
        stopWorkload.setOnAction(e -> vm.stop());
        tip(startWorkload, vm.unavailable().isEmpty()
                ? "Start reading and writing " + vm.volume() + " as a host would (through its pair, if any)."
                : "Not now: " + vm.unavailable());
        tip(stopWorkload, "Stop the workload on " + vm.volume() + ".");

        readShare.setValue(vm.readPercentProperty().get());
        readShare.valueProperty().addListener((o, was, now) -> vm.readPercentProperty().set((int) Math.round(now.doubleValue())));
        readShareLabel.textProperty().bind(Bindings.format("%d%% reads", vm.readPercentProperty()));
        tip(readShare, "Share of operations that read; the rest write.");

        for (int b : WorkloadViewModel.BLOCK_SIZES) {
            blockSize.getItems().add(b);
        }
        blockSize.setConverter(converter(b -> Format.size(b)));
        blockSize.setValue(vm.blockSizeProperty().get());
        blockSize.valueProperty().addListener((o, was, now) -> vm.blockSizeProperty().set(now));
        tip(blockSize, "Bytes per operation.");

        for (long r : WorkloadViewModel.RATES) {
            rate.getItems().add(r);
        }
        rate.setConverter(converter(r -> r == 0 ? "unlimited" : Format.rate(r)));
        rate.setValue(vm.rateProperty().get());
        rate.valueProperty().addListener((o, was, now) -> vm.rateProperty().set(now));
        tip(rate, "Target rate of reads and writes together.");

        random.setSelected(vm.randomProperty().get());
        sequential.setSelected(!vm.randomProperty().get());
        random.selectedProperty().addListener((o, was, now) -> vm.randomProperty().set(now));
        tip(random, "Random offsets across the volume (verify reads favour recently written blocks).");
        tip(sequential, "Offsets in order, wrapping at the end.");

        verify.selectedProperty().bindBidirectional(vm.verifyProperty());
        tip(verify, "Check every read against the self-describing blocks written before: any lost or stale write"
                + " is counted as an error.");

        verifyLine.textProperty().bind(vm.verifyLineProperty());
        // red from the first error, also when the page opens after the errors were counted; not for
        // errors a repair settled (the line says they came before it)
        vm.errorsStandProperty().addListener((o, was, now) -> verifyLine.pseudoClassStateChanged(BAD, now));
        verifyLine.pseudoClassStateChanged(BAD, vm.errorsStandProperty().get());
        ioLine.textProperty().bind(vm.ioLineProperty());
        // why Start is disabled (a disabled button shows no tooltip), else the last error
        javafx.beans.binding.StringBinding shown = Bindings.createStringBinding(
                () -> vm.startBlockedProperty().get().isEmpty() ? vm.problemProperty().get() : vm.startBlockedProperty().get(),
                vm.startBlockedProperty(), vm.problemProperty());
        problem.textProperty().bind(shown);
        problem.visibleProperty().bind(Bindings.isNotEmpty(shown));
        problem.managedProperty().bind(problem.visibleProperty());
    }

    private static void tip(javafx.scene.control.Control c, String text) {
        Tooltip t = new Tooltip(text);
        t.setShowDelay(javafx.util.Duration.millis(300));
        t.setWrapText(true);
        t.setMaxWidth(380);
        c.setTooltip(t);
    }

    private static <T> StringConverter<T> converter(java.util.function.Function<T, String> f) {
        return new StringConverter<>() {
            @Override
            public String toString(T t) {
                return t == null ? "" : f.apply(t);
            }

            @Override
            public T fromString(String s) {
                return null;
            }
        };
    }
}
