package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.app.nav.NavViewModel;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.VolumeState;

/**
 * A pair whose STD (or BCV) is FAILED: the engine's record still says Synchronized, but nothing is
 * mirrored. The tree, the Pairs table and the console said "Synchronized" in green beside a FAILED
 * volume; they say which side is FAILED, and the console's line says what that means.
 */
class PairLookTest {

    private static PairView pair(PairState state, VolumeState std, VolumeState bcv) {
        return new PairView("prod-pair", "prod", "prod-bcv", state, 0, 0, 1024, 65536, false, null, 0, null,
                new PairView.Sides(std, std == VolumeState.FAILED ? "d1 FAILED, d2 FAILED" : "", bcv,
                        bcv == VolumeState.FAILED ? "d4 FAILED, d5 FAILED" : "", null));
    }

    /**
     * A cancelled establish stays SyncInProg with nothing copying: the console showed "Establishing
     * (SyncInProg)" with turning arrows and a marching "copying STD → BCV" over a stopped copy (by hand).
     */
    @Test
    void aCancelledEstablishLooksStoppedNotCopying() {
        PairView p = new PairView("prod-pair", "prod", "prod-bcv", PairState.SyncInProg, 1838, 0, 2048, 65536, false,
                null, 0, null, new PairView.Sides(VolumeState.OPTIMAL, "", VolumeState.OPTIMAL, "", null), null, true);
        assertThat(PairLook.of(p).word()).isEqualTo("Establish stopped (SyncInProg)");
        assertThat(PairLook.of(p).glyph()).isEqualTo(StateLook.Glyph.PAUSE);
        assertThat(PairLook.brief(p).word()).isEqualTo("SyncInProg");
        assertThat(PairLook.direction(p)).isEqualTo(PairWords.Direction.NONE);
        assertThat(PairWords.meaning(p)).startsWith("establish cancelled: the BCV is partly copied");
    }

    @Test
    void aSynchronizedPairWithAFailedStdDoesNotSayItIsInSync() {
        PairView p = pair(PairState.Synchronized, VolumeState.FAILED, VolumeState.OPTIMAL);

        assertThat(PairLook.of(p).word()).isEqualTo("STD FAILED");
        assertThat(PairLook.of(p).tone()).isEqualTo(StateLook.Tone.BAD);
        assertThat(PairWords.meaning(p)).startsWith("volume prod (the STD) is FAILED (d1 FAILED, d2 FAILED): nothing is"
                + " mirrored").doesNotContain("mirroring:");
        assertThat(PairLook.direction(p)).isEqualTo(PairWords.Direction.NONE);

        NavViewModel nav = new NavViewModel("demo");
        nav.apply(List.of(p));
        StateLook inTree = nav.treeProperty().get().groups().get(2).children().get(0).look();
        assertThat(inTree.word()).isEqualTo("STD FAILED");
    }

    @Test
    void aFailedBcvIsSaidAndItsMarksPromised() {
        PairView p = pair(PairState.Synchronized, VolumeState.OPTIMAL, VolumeState.FAILED);

        assertThat(PairLook.of(p).word()).isEqualTo("BCV FAILED");
        assertThat(PairWords.meaning(p)).startsWith("volume prod-bcv (the BCV) is FAILED (d4 FAILED, d5 FAILED): host"
                + " writes to the STD are not mirrored");
    }

    @Test
    void healthySidesAndASplitPairKeepTheirWords() {
        assertThat(PairLook.of(pair(PairState.Synchronized, VolumeState.DEGRADED, VolumeState.OPTIMAL)).word())
                .isEqualTo("Synchronized");
        assertThat(PairLook.of(pair(PairState.Split, VolumeState.OPTIMAL, VolumeState.FAILED)).word()).isEqualTo("Split");
        assertThat(PairLook.brief(pair(PairState.RestInProg, VolumeState.OPTIMAL, VolumeState.OPTIMAL)).word())
                .isEqualTo("RestInProg");
    }
}
