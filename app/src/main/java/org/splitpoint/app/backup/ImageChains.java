package org.splitpoint.app.backup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.splitpoint.engine.backup.ImageInfo;

/**
 * A store's images as the Backups view shows them: per volume, chains — a full image and the
 * incrementals that build on it, directly or through each other, oldest first. An incremental
 * whose parent is gone heads a chain of its own, marked broken. Also the delete rule: an image is
 * not deleted while images build on it, unless they go too (as {@code backup delete --chain}).
 */
public final class ImageChains {

    private ImageChains() {
    }

    /**
     * One chain: {@code head} (a full image, or the oldest image left of a broken chain) and the
     * images built on it; {@code broken} says what is missing, or is null.
     */
    public record Chain(ImageInfo head, List<ImageInfo> builtOn, String broken) {
        public Chain {
            builtOn = List.copyOf(builtOn);
        }
    }

    /** A volume's chains, oldest first. */
    public record VolumeImages(String volume, List<Chain> chains) {
        public VolumeImages {
            chains = List.copyOf(chains);
        }

        public int images() {
            return chains.stream().mapToInt(c -> 1 + c.builtOn().size()).sum();
        }

        public long dataBytes() {
            long n = 0;
            for (Chain c : chains) {
                n += c.head().dataBytes();
                for (ImageInfo i : c.builtOn()) {
                    n += i.dataBytes();
                }
            }
            return n;
        }
    }

    /** {@code images} (oldest first, as a store lists them) grouped by volume (by name) and chain. */
    public static List<VolumeImages> of(List<ImageInfo> images) {
        Map<String, ImageInfo> byId = new HashMap<>();
        images.forEach(i -> byId.put(i.id(), i));
        Map<String, Map<String, List<ImageInfo>>> volumes = new TreeMap<>();
        for (ImageInfo i : images) {
            ImageInfo head = headOf(i, byId);
            volumes.computeIfAbsent(i.volume(), v -> new LinkedHashMap<>())
                    .computeIfAbsent(head.id(), h -> new ArrayList<>());
            if (head != i) {
                volumes.get(i.volume()).get(head.id()).add(i);
            }
        }
        List<VolumeImages> out = new ArrayList<>();
        for (var v : volumes.entrySet()) {
            List<Chain> chains = new ArrayList<>();
            for (var c : v.getValue().entrySet()) {
                ImageInfo head = byId.get(c.getKey());
                String broken = head.kind() == ImageInfo.Kind.FULL ? null
                        : "its chain is broken: " + (head.parent() == null ? "it names no parent"
                        : "image " + head.parent() + " it builds on is not in the store");
                chains.add(new Chain(head, c.getValue(), broken));
            }
            out.add(new VolumeImages(v.getKey(), chains));
        }
        return out;
    }

    private static ImageInfo headOf(ImageInfo i, Map<String, ImageInfo> byId) {
        ImageInfo at = i;
        for (int n = 0; n < 10_000 && at.kind() != ImageInfo.Kind.FULL; n++) {
            ImageInfo parent = at.parent() == null ? null : byId.get(at.parent());
            if (parent == null || !parent.volume().equals(i.volume())) {
                return at;
            }
            at = parent;
        }
        return at;
    }

    /** Images that build on {@code id}, directly or through each other (each before those on it). */
    public static List<String> dependents(List<ImageInfo> images, String id) {
        List<String> out = new ArrayList<>();
        collect(images, id, out);
        return out;
    }

    private static void collect(List<ImageInfo> images, String id, List<String> out) {
        for (ImageInfo i : images) {
            if (id.equals(i.parent()) && !out.contains(i.id())) {
                out.add(i.id());
                collect(images, i.id(), out);
            }
        }
    }

    /** Why {@code id} is not deleted alone (the CLI's sentence, with the app's checkbox for --chain). */
    public static String deleteRefusal(String id, List<String> dependents) {
        return "image " + id + " is the parent of " + names(dependents) + "; deleting it would break their"
                + " chain: delete those first, or tick \u201cand the images that build on it\u201d to delete them too";
    }

    /** How many images a sentence names before it counts the rest: a chain of 61 ran a dialog off the screen. */
    static final int NAMED = 3;

    /**
     * Image ids for a sentence: all of them when few, else the first {@link #NAMED}, how many more, and
     * the last ("a, b, c and 57 more, up to z"): every id inline made a dialog taller than the screen.
     */
    public static String names(List<String> ids) {
        if (ids.size() <= NAMED + 1) {
            return String.join(", ", ids);
        }
        return String.join(", ", ids.subList(0, NAMED)) + " and " + (ids.size() - NAMED) + " more, up to "
                + ids.get(ids.size() - 1);
    }
}
