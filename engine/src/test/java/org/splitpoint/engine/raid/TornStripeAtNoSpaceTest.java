package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A RAID 5 write to a whole volume (not journaled) that runs out of space between its data and its
 * parity write leaves its stripe torn, its tracks pinned for a resync. If a member fails before
 * that resync, the other strips of the stripe, acknowledged long before, must not be read back
 * reconstructed from the stale parity.
 */
class TornStripeAtNoSpaceTest {

    @TempDir
    Path dir;

    private final FaultInjector inj = new FaultInjector(StorageFactory.real());

    @BeforeEach
    void raid5OverFourDrives() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 1 << 20, 4096);
    }

    /** Stripe 0 written and flushed, then a write to its first strip torn by a full file system. */
    private byte[] tornStripe(Pool p) throws Exception {
        ParityVolume v = (ParityVolume) p.volume("v");
        int unit = v.stripUnit();
        byte[] stripe = new byte[unit * 3];
        new Random(3).nextBytes(stripe);
        v.write(0, ByteBuffer.wrap(stripe));
        v.flush(); // acknowledged: strips 0, 1, 2 of stripe 0 on d1, d2, d3, parity on d4
        String parity = "d" + (v.parityMember(0) + 1) + ".img";
        inj.diskFullAfter(f -> f.getFileName().toString().equals(parity), 0);
        byte[] piece = new byte[4096];
        Arrays.fill(piece, (byte) 0x77);
        assertThatThrownBy(() -> v.write(0, ByteBuffer.wrap(piece))).isInstanceOf(NoSpaceException.class);
        return stripe;
    }

    /** An administrator fails the drive of strip 1 (refused while the torn stripe cannot be redone). */
    @Test
    void aDriveFailedByCommandAfterATornWriteLeavesTheStripeReadingRight() throws Exception {
        try (Pool p = Pool.open(dir, inj)) {
            byte[] stripe = tornStripe(p);
            ParityVolume v = (ParityVolume) p.volume("v");
            int unit = v.stripUnit();
            String failing = "d" + (v.dataMember(0, 1) + 1);
            try {
                p.admin().failDrive(failing);
            } catch (NoSpaceException e) {
                inj.diskFreed(); // refused, nothing changed: the administrator frees space and fails it again
                p.admin().failDrive(failing);
            }
            TestPools.assertSameBytes(p.read("v", unit, unit), Arrays.copyOfRange(stripe, unit, 2 * unit),
                    "strip 1 of stripe 0 (on " + failing + "), acknowledged before the torn write");
        }
    }

    /** The drive of strip 1 fails on its own (EIO) while the file system is still full. */
    @Test
    void aDriveFailingAfterATornWriteLeavesTheStripeReadingRight() throws Exception {
        try (Pool p = Pool.open(dir, inj)) {
            byte[] stripe = tornStripe(p);
            ParityVolume v = (ParityVolume) p.volume("v");
            int unit = v.stripUnit();
            String failing = "d" + (v.dataMember(0, 1) + 1) + ".img";
            inj.eio(f -> f.getFileName().toString().equals(failing), FaultInjector.Op.READ, FaultInjector.Mode.FROM_NTH, 1, 1);
            byte[] strip1;
            try {
                strip1 = p.read("v", unit, unit);
            } catch (java.io.IOException e) {
                strip1 = null; // refused rather than made up: acceptable
            } finally {
                inj.diskFreed(); // the pool's close redoes the stripe
            }
            if (strip1 != null) {
                TestPools.assertSameBytes(strip1, Arrays.copyOfRange(stripe, unit, 2 * unit),
                        "strip 1 of stripe 0 (on " + failing + "), acknowledged before the torn write");
            }
        }
    }
}
