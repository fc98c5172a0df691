package org.splitpoint.app.lifecycle;

import java.util.function.Consumer;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.EngineCall;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;

/**
 * The shape every lifecycle dialog's model shares, which its dialog ({@link FormDialog}) shows: the
 * problem that stops the action (the fields' own, naming the field it is about so the dialog can mark
 * it, else the engine's refusal of the last try in the engine's words, which any change of a field
 * clears), whether the engine is at work, and the action, carried out once on the engine's thread.
 * A form says what its fields' problem is ({@link #check()}) and what the engine does
 * ({@link #submission()}); the rules themselves are the engine's (PoolAdmin, PairAdmin), asked or
 * refused with, never copied here. UI thread only.
 */
abstract class LifecycleForm {

    /** What stops the action: the field it is about ({@code null}: none in particular) and the sentence. */
    record Problem(String field, String sentence) {
        static final Problem NONE = new Problem(null, "");

        static Problem of(String field, String sentence) {
            return sentence == null || sentence.isEmpty() ? NONE : new Problem(field, sentence);
        }
    }

    /**
     * What is wrong with the name typed for a new {@code what} ("volume", "pair"), or null: an empty
     * field asks for a name, as the snapshot dialog does, where the engine's rule would read
     * "'' is not a valid volume name"; anything typed is judged by the engine's rule.
     */
    static String nameProblem(String what, String typed) {
        if (typed == null || typed.isBlank()) {
            return "type a name for the " + what;
        }
        return org.splitpoint.engine.pool.PoolAdmin.nameProblem(what, typed.trim());
    }

    /** The engine's part of the action, and what the form does with its result on the UI thread. */
    record Submission<T>(EngineCall<T> call, Consumer<T> succeeded) { }

    protected final PoolBridge bridge;
    protected final ActionStatus status;
    private final ReadOnlyObjectWrapper<Problem> problem = new ReadOnlyObjectWrapper<>(Problem.NONE);
    private final ReadOnlyStringWrapper sentence = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper working = new ReadOnlyBooleanWrapper(false);
    private final java.util.List<Observable> followed = new java.util.ArrayList<>();

    protected LifecycleForm(PoolBridge bridge, ActionStatus status) {
        this.bridge = bridge;
        this.status = status;
    }

    /**
     * Called before {@link #watch}: {@link #check()} runs again whenever one of {@code pool} changes
     * too (the pool's state the engine's rules look at), which, unlike a field, leaves the engine's
     * last refusal standing: a new sample of the pool is no answer to it.
     */
    protected final void follow(Observable... pool) {
        followed.addAll(java.util.List.of(pool));
    }

    /** Called once, last in a form's constructor: {@link #check()} runs again whenever one of {@code fields} changes. */
    protected final void watch(Observable... fields) {
        for (Observable f : fields) {
            f.addListener(o -> refused.set(""));
        }
        java.util.List<Observable> all = new java.util.ArrayList<>(java.util.List.of(fields));
        all.addAll(followed);
        all.add(refused);
        Observable[] deps = all.toArray(Observable[]::new);
        problem.bind(Bindings.createObjectBinding(() -> {
            Problem own = check();
            return own != null && !own.sentence().isEmpty() ? own : Problem.of(null, refused.get());
        }, deps));
        sentence.bind(Bindings.createStringBinding(() -> problem.get().sentence(), problem));
    }

    /** The fields' problem, {@link Problem#NONE} when they are fine. */
    protected abstract Problem check();

    /** The action with the fields as they are now; called only when there is no problem. */
    protected abstract Submission<?> submission();

    /** One sentence saying what stops the action; empty when nothing does. */
    public final ReadOnlyStringProperty problemProperty() {
        return sentence.getReadOnlyProperty();
    }

    /** The problem with the field it is about, for the dialog to mark that field. */
    public final ReadOnlyObjectProperty<Problem> problemDetailProperty() {
        return problem.getReadOnlyProperty();
    }

    /** True while the engine carries the action out. */
    public final ReadOnlyBooleanProperty workingProperty() {
        return working.getReadOnlyProperty();
    }

    /** Carries the action out; {@code done} runs on the UI thread once the engine did, else the refusal becomes the problem. */
    public final void submit(Runnable done) {
        if (working.get() || !sentence.get().isEmpty()) {
            return;
        }
        working.set(true);
        refused.set("");
        run(submission(), done);
    }

    private <T> void run(Submission<T> s, Runnable done) {
        bridge.run(s.call(), result -> {
            working.set(false);
            s.succeeded().accept(result);
            done.run();
        }, why -> {
            working.set(false);
            refused.set(why);
        });
    }
}
