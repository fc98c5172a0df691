package org.splitpoint.app.pair;

import javafx.beans.property.LongProperty;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;

/**
 * A job's limit as a slider over {@link CopyControl#THROTTLE_STEPS} with its words beside it. The
 * limit can be one no step matches (set with {@code --throttle 7} or from the Jobs row): the slider
 * then rests on the step below and the words say the exact value; only the user's moves set the limit.
 */
public final class ThrottleSlider {

    private ThrottleSlider() {
    }

    /** Binds {@code slider} and {@code words} to {@code limit} (bytes per second, 0 = unlimited), both ways. */
    public static void bind(Slider slider, Label words, LongProperty limit) {
        long[] steps = CopyControl.THROTTLE_STEPS;
        boolean[] following = {false};
        slider.setMax(steps.length - 1);
        slider.setValue(CopyControl.stepOf(limit.get()));
        words.setText(CopyControl.describe(limit.get()));
        slider.valueProperty().addListener((o, was, now) -> {
            if (following[0]) {
                return; // the slider moved to show the job's limit: not a choice
            }
            long v = steps[(int) Math.round(now.doubleValue())];
            words.setText(CopyControl.describe(v));
            limit.set(v); // coalesced in the model: the latest value wins
        });
        limit.addListener((o, was, now) -> {
            following[0] = true;
            slider.setValue(CopyControl.stepOf(now.longValue()));
            following[0] = false;
            words.setText(CopyControl.describe(now.longValue()));
        });
    }
}
