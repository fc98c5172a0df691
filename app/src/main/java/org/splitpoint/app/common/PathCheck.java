package org.splitpoint.app.common;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableStringValue;
import javafx.util.Duration;

/**
 * A dialog's check of a typed path that looks at the file system (a stat, a directory's first entry),
 * asked in the background at each change of the text and never on the FX thread: a path on an
 * automounted or hung network directory froze the window for as long as its file system took, at each
 * key (the New pool and Add store dialogs). {@link #problemProperty} is the last answer for the text
 * shown (an answer for a text since changed is dropped), {@link #lookingProperty} true until it came,
 * {@link #slowProperty} a sentence while it is later than {@link #SLOW}. FX thread only.
 */
public final class PathCheck {

    /** How long a look goes unmentioned. */
    public static final Duration SLOW = Duration.millis(300);

    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper looking = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper slow = new ReadOnlyStringWrapper("");
    private final ObservableStringValue text;
    private final BiConsumer<String, Consumer<String>> judge;
    private final PauseTransition late = new PauseTransition(SLOW);

    /**
     * Checks {@code text} now and at each change; {@code judge} looks at a text in the background and
     * hands its sentence ("" when the path will do) to the FX thread.
     */
    public PathCheck(ObservableStringValue text, BiConsumer<String, Consumer<String>> judge) {
        this.text = text;
        this.judge = judge;
        text.addListener((o, was, now) -> ask(now, why -> { }));
        ask(text.get(), why -> { });
    }

    /** A judge that runs {@code look} on a daemon thread of its own for each text. */
    public static BiConsumer<String, Consumer<String>> onOwnThread(UnaryOperator<String> look, String threadName) {
        return (asked, answer) -> {
            Thread t = new Thread(() -> {
                String why = look.apply(asked);
                Platform.runLater(() -> answer.accept(why));
            }, threadName);
            t.setDaemon(true);
            t.start();
        };
    }

    /** Looks again at the text shown (at a click: the directory may have changed); {@code then} gets the answer. */
    public void recheck(Consumer<String> then) {
        ask(text.get(), then);
    }

    private void ask(String asked, Consumer<String> then) {
        looking.set(true);
        slow.set("");
        late.setOnFinished(e -> {
            if (looking.get() && asked.equals(text.get())) {
                slow.set("looking at " + asked.trim() + "… (its file system has not answered yet)");
            }
        });
        late.playFromStart();
        judge.accept(asked, why -> {
            if (asked.equals(text.get())) {
                late.stop();
                slow.set("");
                problem.set(why == null ? "" : why);
                looking.set(false);
                then.accept(problem.get());
            }
        });
    }

    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty lookingProperty() {
        return looking.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty slowProperty() {
        return slow.getReadOnlyProperty();
    }
}
