package org.splitpoint.app.backup;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.backup.ImageInfo;

/**
 * A row of the Backups tree: a volume (its images summed up) or one image with its verify state.
 * Rows are kept across refreshes by key, so a verify result and the selection survive them.
 */
public final class BackupRow {

    private final String key;
    private final String volume;
    private final ReadOnlyObjectWrapper<ImageInfo> image = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<VerifyState> verify = new ReadOnlyObjectWrapper<>(VerifyState.NOT_VERIFIED);
    private String name = "";
    private String kind = "";
    private String created = "";
    private String size = "";
    private String tracks = "";
    private String volumeTracks = "";
    private String buildsOn = "";
    private String note = "";

    private BackupRow(String key, String volume) {
        this.key = key;
        this.volume = volume;
    }

    static BackupRow volume(ImageChains.VolumeImages v) {
        BackupRow r = new BackupRow("volume:" + v.volume(), v.volume());
        r.update(v);
        return r;
    }

    static BackupRow image(ImageInfo i) {
        BackupRow r = new BackupRow(i.id(), i.volume());
        r.update(i, null);
        return r;
    }

    void update(ImageChains.VolumeImages v) {
        name = v.volume();
        int chains = v.chains().size();
        kind = (v.images() == 1 ? "1 image" : v.images() + " images") + (chains > 1 ? ", " + chains + " chains" : "");
        ImageInfo newest = v.chains().stream().flatMap(c -> java.util.stream.Stream.concat(
                java.util.stream.Stream.of(c.head()), c.builtOn().stream())).reduce((a, b) ->
                a.createdAt().compareTo(b.createdAt()) >= 0 ? a : b).orElse(null);
        created = newest == null ? "" : Format.when(newest.createdAt());
        size = Format.size(v.dataBytes());
    }

    void update(ImageInfo i, String brokenChain) {
        image.set(i);
        name = i.id();
        kind = i.kind().word();
        created = Format.when(i.createdAt());
        size = Format.size(i.dataBytes());
        tracks = Format.count(i.tracks());
        volumeTracks = Format.count(i.volumeTracks());
        buildsOn = i.parent() == null ? "" : i.parent();
        note = brokenChain == null ? "" : brokenChain;
    }

    void setVerify(VerifyState s) {
        verify.set(s);
    }

    /** "volume:prod" for a volume, else the image id. */
    public String key() {
        return key;
    }

    public boolean isImage() {
        return image.get() != null;
    }

    public String volumeName() {
        return volume;
    }

    /** The image, or null for a volume row. */
    public ImageInfo info() {
        return image.get();
    }

    public ReadOnlyObjectProperty<ImageInfo> imageProperty() {
        return image.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<VerifyState> verifyProperty() {
        return verify.getReadOnlyProperty();
    }

    public String name() {
        return name;
    }

    /** "full", "incremental", or for a volume "3 images, 2 chains". */
    public String kind() {
        return kind;
    }

    public String created() {
        return created;
    }

    /** Bytes held (data file), binary units. */
    public String size() {
        return size;
    }

    /** Tracks the image holds ("1,207"). */
    public String tracks() {
        return tracks;
    }

    /**
     * The Tracks held column: "128 of 2,048" (empty for a volume). A bare "128" beside the Stored size
     * read as a count of nothing in particular, or as an image missing most of its volume.
     */
    public String tracksHeld() {
        return tracks.isEmpty() ? "" : tracks + " of " + volumeTracks;
    }

    /** The Tracks held cell's tooltip: what the count is of, and why a full image may hold few. */
    public String tracksHeldWhy() {
        ImageInfo i = image.get();
        if (i == null) {
            return "";
        }
        return tracks + " of the volume's " + volumeTracks + " tracks" + (i.parent() == null
                ? ": a full image leaves out the tracks that are all zeros (they read as zeros from it)"
                : ": the tracks changed since " + i.parent() + ", the image it builds on");
    }

    /** Tracks of the volume it is an image of ("2,048"). */
    public String volumeTracks() {
        return volumeTracks;
    }

    /** The parent image's id, or empty. */
    public String buildsOn() {
        return buildsOn;
    }

    /** Why the image's chain is broken, or empty. */
    public String note() {
        return note;
    }

    @Override
    public String toString() {
        return name;
    }
}
