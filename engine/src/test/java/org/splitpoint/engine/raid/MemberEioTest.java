package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.VolumeState;

/** An I/O error on a member mid-run fails that member; the volume carries on and loses nothing. */
class MemberEioTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}: EIO on {1} of d2 from op {2}")
    @CsvSource({"RAID1, WRITE, 5", "RAID1, READ, 3", "RAID3, WRITE, 7", "RAID3, READ, 2",
            "RAID5, WRITE, 4", "RAID5, READ, 6"})
    void eioFailsTheMemberAndLosesNoData(Layout layout, FaultInjector.Op op, long nth) throws Exception {
        TestPools.create(dir, layout, layout == Layout.RAID1 ? 2 : 4, 1 << 20, 4096);
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .eio(p -> p.getFileName().toString().equals("d2.img"), op, FaultInjector.Mode.FROM_NTH, nth, 1);
        byte[] model;
        java.util.List<Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Pool pool = Pool.open(dir, inj)) {
            pool.addListener(events::add);
            RaidVolume v = pool.volume("v");
            model = new byte[(int) v.size()];
            Random rnd = new Random(nth);
            for (int i = 0; i < 200; i++) {
                int len = 1 + rnd.nextInt(20_000);
                int off = rnd.nextInt(model.length - len);
                if (rnd.nextBoolean()) {
                    byte[] data = new byte[len];
                    rnd.nextBytes(data);
                    v.write(off, ByteBuffer.wrap(data));
                    System.arraycopy(data, 0, model, off, len);
                } else {
                    byte[] got = new byte[len];
                    v.read(off, ByteBuffer.wrap(got));
                    assertThat(java.util.Arrays.equals(got, 0, len, model, off, off + len)).isTrue();
                }
            }
            v.flush();
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
            assertThat(v.state()).isEqualTo(VolumeState.DEGRADED);
            assertThat(v.stateReason()).isEqualTo("d2 FAILED");
            assertThat(TestPools.readAll(v)).isEqualTo(model);
            pool.events().drain();
            org.awaitility.Awaitility.await().until(() -> events.stream()
                    .anyMatch(e -> e.severity() == Severity.CRITICAL && e.source().equals("d2")));
        }
        // the failure was recorded durably: reopening with healthy files keeps d2 FAILED
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
            assertThat(TestPools.readAll(pool.volume("v"))).isEqualTo(model);
        }
    }
}
