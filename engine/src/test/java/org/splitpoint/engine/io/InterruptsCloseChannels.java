package org.splitpoint.engine.io;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For a test of the fallback where channels are closed by interrupts, as in a JVM that does not open
 * sun.nio.ch to us ({@link Uninterruptible} turned off for each test, and on again after it).
 */
final class InterruptsCloseChannels implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        Uninterruptible.disabledForTest = true;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Uninterruptible.disabledForTest = false;
    }
}
