package org.splitpoint.app.lifecycle;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;

/**
 * What every lifecycle dialog's model offers its dialog ({@link FormDialog}): why the action cannot
 * go ahead now (a field's problem, or the engine's refusal of the last try, in its words; empty when
 * it can), whether the engine is at work, and the action itself.
 */
interface LifecycleForm {

    /** One sentence saying what stops the action; empty when nothing does. */
    ReadOnlyStringProperty problemProperty();

    /** True while the engine carries the action out. */
    ReadOnlyBooleanProperty workingProperty();

    /** Carries the action out; {@code done} runs on the UI thread once the engine did, else the refusal becomes the problem. */
    void submit(Runnable done);
}
