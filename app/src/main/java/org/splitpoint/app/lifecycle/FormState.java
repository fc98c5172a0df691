package org.splitpoint.app.lifecycle;

import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import java.util.concurrent.Callable;

/**
 * The part every form shares: the problem (the fields' own, else the engine's refusal of the last
 * try, which any change of a field clears) and the working flag. UI thread only.
 */
final class FormState {

    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper working = new ReadOnlyBooleanWrapper(false);

    /** {@code check} gives the fields' problem ("" when none), recomputed when any of {@code fields} changes. */
    FormState(Callable<String> check, Observable... fields) {
        for (Observable f : fields) {
            f.addListener(o -> refused.set(""));
        }
        Observable[] deps = java.util.Arrays.copyOf(fields, fields.length + 1);
        deps[fields.length] = refused;
        problem.bind(Bindings.createStringBinding(() -> {
            String own = check.call();
            return own != null && !own.isEmpty() ? own : refused.get();
        }, deps));
    }

    ReadOnlyStringProperty problem() {
        return problem.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty working() {
        return working.getReadOnlyProperty();
    }

    /** True (and marked working) when the action may start now. */
    boolean begin() {
        if (working.get() || !problem.get().isEmpty()) {
            return false;
        }
        working.set(true);
        refused.set("");
        return true;
    }

    void succeeded() {
        working.set(false);
    }

    void refused(String why) {
        working.set(false);
        refused.set(why);
    }
}
