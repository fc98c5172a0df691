package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.backup.ImageInfo;

/** Grouping a store's images into chains per volume, and the delete rule. */
class ImageChainsTest {

    private static ImageInfo img(String id, String volume, String at, String parent) {
        return new ImageInfo(id, "s", volume, 1 << 20, 65536, at, parent,
                parent == null ? ImageInfo.Kind.FULL : ImageInfo.Kind.INCREMENTAL, 1, 100, "x", "y");
    }

    private final List<ImageInfo> images = List.of(
            img("a-full", "a", "2026-01-01T00:00:00Z", null),
            img("a-inc1", "a", "2026-01-02T00:00:00Z", "a-full"),
            img("b-full", "b", "2026-01-02T01:00:00Z", null),
            img("a-inc2", "a", "2026-01-03T00:00:00Z", "a-inc1"),
            img("a-full2", "a", "2026-01-04T00:00:00Z", null),
            img("a-orphan", "a", "2026-01-05T00:00:00Z", "gone"));

    /**
     * Delete… of an image with 61 images built on it named every one inline: the dialog ran off the
     * screen, its title and buttons out of reach (a GUI pass). A few are named, the rest counted.
     */
    @Test
    void aLongChainIsNamedByItsFirstImagesAndCounted() {
        assertThat(ImageChains.names(List.of("a", "b"))).isEqualTo("a, b");
        assertThat(ImageChains.names(List.of("a", "b", "c", "d"))).isEqualTo("a, b, c, d");
        List<String> many = java.util.stream.IntStream.rangeClosed(1, 61).mapToObj(n -> "i" + n).toList();
        assertThat(ImageChains.names(many)).isEqualTo("i1, i2, i3 and 58 more, up to i61");
        assertThat(ImageChains.deleteRefusal("i0", many)).startsWith("image i0 is the parent of i1, i2, i3 and 58 more,"
                + " up to i61; deleting it");
    }

    @Test
    void imagesGroupIntoChainsPerVolumeWithIncrementalsUnderTheirFullImage() {
        List<ImageChains.VolumeImages> v = ImageChains.of(images);

        assertThat(v).extracting(ImageChains.VolumeImages::volume).containsExactly("a", "b");
        List<ImageChains.Chain> a = v.get(0).chains();
        assertThat(a).extracting(c -> c.head().id()).containsExactly("a-full", "a-full2", "a-orphan");
        assertThat(a.get(0).builtOn()).extracting(ImageInfo::id).containsExactly("a-inc1", "a-inc2");
        assertThat(a.get(0).broken()).isNull();
        assertThat(a.get(2).broken()).isEqualTo("its chain is broken: image gone it builds on is not in the store");
        assertThat(v.get(0).images()).isEqualTo(5);
        assertThat(v.get(0).dataBytes()).isEqualTo(500);
    }

    @Test
    void theDependentsOfAnImageAreThoseBuiltOnItDirectlyOrNot() {
        assertThat(ImageChains.dependents(images, "a-full")).containsExactly("a-inc1", "a-inc2");
        assertThat(ImageChains.dependents(images, "a-inc2")).isEmpty();
        assertThat(ImageChains.deleteRefusal("a-full", List.of("a-inc1", "a-inc2"))).startsWith(
                "image a-full is the parent of a-inc1, a-inc2; deleting it would break their chain");
    }
}
