package org.splitpoint.app.backup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * Deleting an image of a store: when not now (a verify, a restore reading it, a backup of its
 * volume), the chain rule of {@link ImageChains} (the images built on it go too or not at all, as
 * {@code backup delete --chain}), what the typed confirmation says (that the volume has no backup
 * left in the store, when these were its last images), and the delete itself, those
 * built on it first, off the UI thread.
 */
final class ImageDeletion {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final VerifyControl verify;
    private final Runnable done;

    /** {@code done} runs (UI thread) after a delete, whatever its outcome: the store is read again. */
    ImageDeletion(PoolBridge bridge, ActionStatus status, VerifyControl verify, Runnable done) {
        this.bridge = bridge;
        this.status = status;
        this.verify = verify;
        this.done = done;
    }

    /** Why image {@code i} of the store listed as {@code l} cannot be deleted now; empty when it can. */
    String whyNot(ImageInfo i, StoreListing l, PoolSnapshot s) {
        if (i == null || l == null) {
            return "select an image first";
        }
        if (verify.runningProperty().get()) {
            return "a verify is running; wait for it to finish";
        }
        if (l.restoring(i.id())) {
            return "a restore of a volume reads image " + i.id() + "; delete it once the restore finished";
        }
        String use = l.inUse(i.id());
        if (use != null) {
            return "in use: " + use;
        }
        if (s != null && BackupNow.job(s, "backup", i.volume()) != null) {
            return "a backup of " + i.volume() + " is running; delete its images once it finished";
        }
        return status.isBusy() ? "another action is still running; wait for it to finish" : "";
    }

    /** The images that build on {@code i} (deleted with it only when asked). */
    static List<String> dependents(ImageInfo i, StoreListing l) {
        return i == null || l == null ? List.of() : ImageChains.dependents(l.images(), i.id());
    }

    /** Why deleting {@code i} alone is refused (images build on it), or empty. */
    static String refusal(ImageInfo i, StoreListing l, boolean withDependents) {
        List<String> d = dependents(i, l);
        return i == null || d.isEmpty() || withDependents ? "" : ImageChains.deleteRefusal(i.id(), d);
    }

    /** What deleting {@code i} does, for the typed confirmation (its id is typed). */
    static Confirmation confirmation(ImageInfo i, StoreListing l) {
        if (i == null) {
            return null;
        }
        List<String> s = new ArrayList<>();
        s.add("Deleting image " + i.id() + " (" + i.kind().word() + " backup of " + i.volume() + ", "
                + Format.when(i.createdAt()) + ", " + Format.size(i.dataBytes()) + ") from " + l.dir()
                + " cannot be undone.");
        List<String> d = dependents(i, l);
        if (!d.isEmpty()) {
            s.add("Images that build on it (" + d.size() + "): " + ImageChains.names(d) + ". Without them the chain would"
                    + " be broken, so they are deleted too or not at all.");
        }
        if (l.images().stream().allMatch(o -> !o.volume().equals(i.volume()) || o.id().equals(i.id()) || d.contains(o.id()))) {
            s.add("After this, " + i.volume() + " has no backup in " + l.dir() + "."); // its last: "cannot be undone" alone read as for one of many
        }
        return new Confirmation("Delete image", "Delete " + i.id() + "?", s, i.id(), "Delete");
    }

    /** Deletes {@code i} (and, with {@code withDependents}, those built on it), refusing as {@link #refusal} says. */
    void delete(ImageInfo i, StoreListing l, boolean withDependents) {
        String refused = refusal(i, l, withDependents);
        if (!refused.isEmpty()) {
            status.failed(refused);
            return;
        }
        Path dir = l.dir();
        List<String> doomed = new ArrayList<>();
        doomed.add(i.id());
        if (withDependents) {
            doomed.addAll(dependents(i, l));
        }
        status.started("Deleting " + ImageChains.names(doomed) + "…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.notOnThePool(() -> { // as backup delete DIR ID: here
            DirectoryStore s = DirectoryStore.open(dir, StorageFactory.real(), false);
            for (int n = doomed.size() - 1; n >= 0; n--) { // those built on it first: never half a chain
                s.delete(doomed.get(n));
            }
            return null;
        }), ok -> {
            doomed.forEach(id -> verify.forget(dir, id));
            status.succeeded(doomed.size() == 1 ? "Deleted image " + i.id() : "Deleted images " + ImageChains.names(doomed));
            done.run();
        }, why -> {
            status.failed(why);
            done.run();
        });
    }
}
