package org.splitpoint.app.jobs;

/**
 * A job's limit as a Jobs row offers it: the copy throttle's steps ("unlimited" last), plus the
 * job's own value when it is none of them (set with {@code job throttle 7}). {@link #show} moves it
 * to the job's value without that counting as the user's choice.
 */
final class LimitChoice extends org.splitpoint.app.restore.ThrottleChoice {

    private boolean showing;

    /** Shows {@code bytesPerSecond} (adding it to the choices when no step matches). */
    void show(long bytesPerSecond) {
        showing = true;
        try {
            if (!getItems().contains(bytesPerSecond)) {
                java.util.List<Long> limits = new java.util.ArrayList<>(getItems());
                limits.add(bytesPerSecond);
                limits.sort((a, b) -> a == 0 ? 1 : b == 0 ? -1 : Long.compare(a, b)); // "unlimited" last
                getItems().setAll(limits);
            }
            setValue(bytesPerSecond);
        } finally {
            showing = false;
        }
    }

    /** True while {@link #show} moves the value (not the user). */
    boolean following() {
        return showing;
    }
}
