package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The injector's holes ({@link FaultInjector#punchesHoles}) behave as Linux's: a punch reads as zeros
 * and is a hole to SEEK_HOLE at once, but until a force covers it a power cut may lose it like an
 * unforced write, the old bytes back; a punch forced is a real hole of the image after the crash.
 */
class FaultInjectorPunchTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aPunchIsAHoleAtOnceAndLostAtACutUnlessForced() throws Exception {
        Path p = dir.resolve("d1.img");
        byte[] old = new byte[4 * MIB];
        new Random(5).nextBytes(old);
        Files.write(p, old);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost()
                .zeroesWithoutWriting().punchesHoles();
        try (StorageFile f = inj.open(p)) {
            f.zeroRange(MIB, MIB, true);
            assertThat(read(f, MIB, MIB)).as("the punch reads as zeros").isEqualTo(new byte[MIB]);
            assertThat(f.hole(MIB, MIB)).as("and is a hole at once, as SEEK_HOLE says").isTrue();
            assertThat(f.hole(MIB - 4096, MIB)).as("a range only partly punched").isFalse();
            f.writeFully(MIB + 4096, ByteBuffer.wrap(new byte[] {7}));
            assertThat(f.hole(MIB, MIB)).as("a write cached after the punch, inside it").isFalse();
            f.zeroRange(3 * MIB, MIB, true); // this one forced below
        }
        try (StorageFile f = inj.open(p)) {
            // the first punch and the write after it are forced with the second: punch, write, punch
            f.force();
        }
        try (StorageFile f = inj.open(p)) {
            f.zeroRange(2 * MIB, MIB, true); // never forced
        }
        assertThat(inj.holesPunched()).isEqualTo(3);
        inj.crash();
        byte[] disk = Files.readAllBytes(p);
        assertThat(Arrays.copyOfRange(disk, 2 * MIB, 3 * MIB)).as("a punch not forced is lost at the cut")
                .isEqualTo(Arrays.copyOfRange(old, 2 * MIB, 3 * MIB));
        byte[] punched = new byte[MIB];
        punched[4096] = 7;
        assertThat(Arrays.copyOfRange(disk, MIB, 2 * MIB)).as("a punch forced, the write after it kept").isEqualTo(punched);
        assertThat(Arrays.copyOfRange(disk, 3 * MIB, 4 * MIB)).as("a punch forced").isEqualTo(new byte[MIB]);
        assertThat(Arrays.copyOfRange(disk, 0, MIB)).isEqualTo(Arrays.copyOfRange(old, 0, MIB));
        assumeTrue(ReadAdvice.available(), "SEEK_HOLE needs native access");
        try (StorageFile f = RealStorage.INSTANCE.open(p)) {
            assertThat(f.hole(3 * MIB, MIB)).as("the forced punch is a real hole of the image").isTrue();
            assertThat(f.hole(2 * MIB, MIB)).as("the lost one is not").isFalse();
        }
    }

    @Test
    void aFailedForceLeavesAPunchInPlaceButNotTheWritesItCouldNotWriteBack() throws Exception {
        Path p = dir.resolve("d2.img");
        byte[] old = new byte[3 * MIB];
        new Random(6).nextBytes(old);
        Files.write(p, old);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost()
                .zeroesWithoutWriting().punchesHoles();
        try (StorageFile f = inj.open(p)) {
            f.zeroRange(0, MIB, true);
            f.writeFully(4096, ByteBuffer.wrap(new byte[] {9})); // after the punch, inside it: dropped below
            f.writeFully(2 * MIB, ByteBuffer.wrap(new byte[] {8})); // dropped below
            f.zeroRange(MIB, MIB, true);
            inj.failForces(x -> true, 1);
            org.assertj.core.api.Assertions.assertThatThrownBy(f::force).hasMessageContaining("injected");
            byte[] first = read(f, 0, MIB);
            assertThat(first[4096]).as("the write after the punch, lost: the old byte").isEqualTo(old[4096]);
            first[4096] = 0;
            assertThat(first).as("the punch still reads as zeros").isEqualTo(new byte[MIB]);
            assertThat(read(f, MIB, MIB)).as("the second punch too").isEqualTo(new byte[MIB]);
            assertThat(read(f, 2 * MIB, 1)[0]).as("a write the failed force dropped").isEqualTo(old[2 * MIB]);
            f.force(); // the punches, still cached, made durable now
        }
        inj.crash();
        byte[] disk = Files.readAllBytes(p);
        byte[] want = old.clone();
        Arrays.fill(want, 0, 2 * MIB, (byte) 0);
        want[4096] = old[4096];
        assertThat(disk).as("the punches forced after the failed force, the dropped writes lost").isEqualTo(want);
    }

    private static byte[] read(StorageFile f, long at, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        f.readFully(at, b);
        return b.array();
    }
}
