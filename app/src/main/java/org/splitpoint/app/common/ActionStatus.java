package org.splitpoint.app.common;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * What the administrator's last action is doing or did, for the status bar; {@code busy} while an
 * action runs, which disables the other actions (one change at a time, in the order clicked).
 * Used on the UI thread only.
 */
public final class ActionStatus {

    public enum Kind { NONE, WORKING, DONE, ERROR }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Kind> kind = new ReadOnlyObjectWrapper<>(Kind.NONE);

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Kind> kindProperty() {
        return kind.getReadOnlyProperty();
    }

    public boolean isBusy() {
        return busy.get();
    }

    public void started(String what) {
        busy.set(true);
        set(Kind.WORKING, what);
    }

    public void succeeded(String what) {
        busy.set(false);
        set(Kind.DONE, what);
    }

    public void failed(String why) {
        busy.set(false);
        set(Kind.ERROR, why);
    }

    private void set(Kind k, String text) {
        kind.set(k);
        // stamped, so a result that no longer describes the pool reads as history
        message.set(CLOCK.format(LocalTime.now()) + "  " + text);
    }
}
