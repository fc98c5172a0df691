package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The restores' shared rule on a snapshot: a volume with a drive in a service window (OFFLINE, or
 * coming back) is not restored; another volume's window does not hold it. The engine's refusal is
 * this sentence (RestoreInServiceWindowTest), and so is the app's dialogs'.
 */
class RestoreRulesTest {

    private static final String SENTENCE = "volume v has a drive in a service window; bring it online first";

    @Test
    void aVolumeWithADriveInAServiceWindowIsNotRestored() {
        assertThat(RestoreRules.window(pool(null, null), "v")).isNull();
        assertThat(RestoreRules.window(pool(window("v", "window"), null), "v")).isEqualTo(new Refusal(SENTENCE));
        assertThat(RestoreRules.window(pool(window("v", "resync"), null), "v"))
                .as("a drive coming back is still in its window").isEqualTo(new Refusal(SENTENCE));
    }

    @Test
    void anotherVolumesWindowDoesNotHoldTheRestore() {
        assertThat(RestoreRules.window(pool(null, window("w", "window")), "v")).isNull();
        assertThat(RestoreRules.window(pool(window("v", "window"), null), "w")).isNull();
    }

    private static PoolSnapshot.ServiceView window(String volume, String phase) {
        return new PoolSnapshot.ServiceView(volume, OfflineReason.DIAGNOSTICS, LogMode.POINTERS, "2026-12-05T08:00:00Z",
                phase, 0, 0, null);
    }

    /** d1, d2 in v; d3, d4 in w; d2 (of v) and d4 (of w) in the windows given (null: none). */
    private static PoolSnapshot pool(PoolSnapshot.ServiceView d2, PoolSnapshot.ServiceView d4) {
        List<PoolSnapshot.DriveView> drives = List.of(drive("d1", "v", null), drive("d2", "v", d2),
                drive("d3", "w", null), drive("d4", "w", d4));
        return new PoolSnapshot("/p", 65536, drives, List.of(), List.of(), List.of(), List.of(), null, List.of());
    }

    private static PoolSnapshot.DriveView drive(String name, String volume, PoolSnapshot.ServiceView service) {
        return new PoolSnapshot.DriveView(name, service == null ? DriveState.ONLINE : DriveState.OFFLINE,
                service == null ? null : service.reason(), 4L << 20, volume, -1, null, service, null);
    }
}
