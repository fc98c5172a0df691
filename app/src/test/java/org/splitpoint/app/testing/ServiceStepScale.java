package org.splitpoint.app.testing;

/**
 * The engine's simulated service steps (firmware, reset) at a test's pace: sets the system property
 * {@code splitpoint.serviceStepScale} and, closed, puts back what it was (or clears it).
 */
public final class ServiceStepScale implements AutoCloseable {

    private static final String KEY = "splitpoint.serviceStepScale";
    private final String was;

    private ServiceStepScale(String was) {
        this.was = was;
    }

    /** From now until {@link #close()}, the steps take {@code scale} times their length ("0": instant). */
    public static ServiceStepScale set(String scale) {
        ServiceStepScale s = new ServiceStepScale(System.getProperty(KEY));
        System.setProperty(KEY, scale);
        return s;
    }

    @Override
    public void close() {
        if (was == null) {
            System.clearProperty(KEY);
        } else {
            System.setProperty(KEY, was);
        }
    }
}
