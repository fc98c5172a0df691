package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which threads give way to the UI: the background ones by name, as /proc shows them (15 characters). */
class ThreadNiceTest {

    @Test
    void copyJobsMemberIoWorkersAndWorkloadsAreBackgroundButTheFxAndRenderThreadsAreNot() {
        assertThat(ThreadNice.background("splitpoint-job-")).isTrue();
        assertThat(ThreadNice.background("splitpoint-memb")).isTrue();
        assertThat(ThreadNice.background("splitpoint-work")).isTrue();
        assertThat(ThreadNice.background("JavaFX Applicat")).isFalse();
        assertThat(ThreadNice.background("QuantumRenderer")).isFalse();
        assertThat(ThreadNice.background(null)).isFalse();
    }
}
