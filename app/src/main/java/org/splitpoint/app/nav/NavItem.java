package org.splitpoint.app.nav;

import org.splitpoint.app.common.StateLook;

/**
 * One entry of the navigation tree: a key the detail pane understands ("drives", "volume:prod",
 * "pair:prod-pair"), the label shown, and a state look (glyph + word + tone) or null.
 */
public record NavItem(String key, String label, StateLook look) {

    public static final String POOL = "pool";
    public static final String DRIVES = "drives";
    public static final String VOLUMES = "volumes";
    public static final String PAIRS = "pairs";
    public static final String SERVE = "serve";
    public static final String BACKUPS = "backups";
    public static final String DRILLS = "drills";

    public static String volume(String name) {
        return "volume:" + name;
    }

    public static String pair(String name) {
        return "pair:" + name;
    }

    /** The instant restore view of volume {@code name} (under the volume in the tree). */
    public static String restore(String name) {
        return "restore:" + name;
    }

    /** Snapshot {@code name} of volume {@code volume} (under the volume in the tree; shown on the volume's page). */
    public static String snapshot(String volume, String name) {
        return "snapshot:" + volume + "@" + name;
    }

    /** The volume and the snapshot's name of a "snapshot:" key, or null when {@code key} is not one. */
    public static String[] snapshotIn(String key) {
        String ref = nameIn(key, "snapshot");
        int at = ref == null ? -1 : ref.indexOf('@');
        return at <= 0 ? null : new String[] {ref.substring(0, at), ref.substring(at + 1)};
    }

    /** The name after "volume:", "pair:" or "restore:", or null when {@code key} is not of that kind. */
    public static String nameIn(String key, String kind) {
        return key != null && key.startsWith(kind + ":") ? key.substring(kind.length() + 1) : null;
    }

    @Override
    public String toString() {
        return label;
    }
}
