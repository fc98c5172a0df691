package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Sizes as an administrator types them, the way the app and the CLI print them among them. */
class SizesParseTest {

    @Test
    void aSizeAsTheAppPrintsItIsTakenBack() {
        // "64 MiB" is how the drive bay and every form print a size; it was refused: "'64 MiB' is not a size"
        for (long bytes : new long[] {512, 65536, 64L << 20, 3L << 29, 1L << 40, 4L << 50}) {
            assertThat(Sizes.parse(Sizes.format(bytes))).as(Sizes.format(bytes)).isEqualTo(bytes);
        }
        assertThat(Sizes.parse("64 MiB")).isEqualTo(64L << 20);
        assertThat(Sizes.parse("64 mb")).isEqualTo(64L << 20);
        assertThat(Sizes.parse("512 B")).isEqualTo(512);
    }

    @Test
    void aFractionThatMakesWholeBytesIsTaken() {
        assertThat(Sizes.parse("1.5G")).isEqualTo(3L << 29);
        assertThat(Sizes.parse("1.5 GiB")).isEqualTo(3L << 29);
        assertThat(Sizes.parse("0.5K")).isEqualTo(512);
        assertThatThrownBy(() -> Sizes.parse("1.3K")).hasMessage("'1.3K' is not a whole number of bytes");
        assertThatThrownBy(() -> Sizes.parse("0.5")).hasMessage("'0.5' is not a whole number of bytes");
    }

    @Test
    void theSuffixesAndPlainNumbersTakenBeforeStillAre() {
        assertThat(Sizes.parse("64K")).isEqualTo(65536);
        assertThat(Sizes.parse("64KB")).isEqualTo(65536);
        assertThat(Sizes.parse("64KiB")).isEqualTo(65536);
        assertThat(Sizes.parse(" 4096 ")).isEqualTo(4096);
        assertThat(Sizes.parse("+4096")).isEqualTo(4096);
        assertThat(Sizes.parse("0")).isZero();
    }

    @Test
    void wrongSizesAreRefusedWithOneSentence() {
        assertThatThrownBy(() -> Sizes.parse("abc"))
                .hasMessage("'abc' is not a size (use a number with an optional K, M, G or T suffix)");
        assertThatThrownBy(() -> Sizes.parse("-3")).hasMessage("'-3' is not a size: sizes are not negative");
        assertThatThrownBy(() -> Sizes.parse("-1.5 GiB")).hasMessage("'-1.5 GiB' is not a size: sizes are not negative");
        assertThatThrownBy(() -> Sizes.parse("6 4K")).hasMessageStartingWith("'6 4K' is not a size");
        assertThatThrownBy(() -> Sizes.parse("12Q")).hasMessageStartingWith("'12Q' is not a size");
        assertThatThrownBy(() -> Sizes.parse("")).hasMessageStartingWith("'' is not a size");
        assertThatThrownBy(() -> Sizes.parse("99999999T"))
                .hasMessage("'99999999T' is too large: sizes stop at 9223372036854775807 bytes (8388607T)");
        assertThatThrownBy(() -> Sizes.parse("99999999999999999999"))
                .hasMessage("'99999999999999999999' is too large: sizes stop at 9223372036854775807 bytes");
    }
}
