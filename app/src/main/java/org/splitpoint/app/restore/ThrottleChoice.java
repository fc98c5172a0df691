package org.splitpoint.app.restore;

import javafx.beans.property.LongProperty;
import javafx.scene.control.ComboBox;
import javafx.util.StringConverter;
import org.splitpoint.app.pair.CopyControl;

/**
 * The limit a restore's background copy starts with, as a dialog offers it: the copy throttle's
 * steps ({@link CopyControl#THROTTLE_STEPS}, "unlimited" last), bound to a form's limit in bytes
 * per second. Used by the restore from backup and the restore to a snapshot.
 */
public class ThrottleChoice extends ComboBox<Long> {

    /** The steps, shown as "20 MB/s" … "unlimited"; the value is the caller's to follow. */
    protected ThrottleChoice() {
        for (long s : CopyControl.THROTTLE_STEPS) {
            getItems().add(s);
        }
        setConverter(new StringConverter<>() {
            @Override
            public String toString(Long v) {
                return v == null ? "" : CopyControl.describe(v);
            }

            @Override
            public Long fromString(String s) {
                return null;
            }
        });
    }

    public ThrottleChoice(LongProperty limit) {
        this();
        setValue(limit.get());
        valueProperty().addListener((o, was, now) -> limit.set(now == null ? 0 : now));
    }
}
