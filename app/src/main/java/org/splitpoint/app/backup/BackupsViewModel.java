package org.splitpoint.app.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.pool.PoolPaths;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The Backups view's model: the stores the administrator uses, the selected store's images as
 * chains per volume with their verify state, and the verbs — add and remove a store, back up now
 * ({@link BackupNow}), verify one or all ({@link VerifyControl}), delete with the chain rule of
 * {@link ImageChains}. Stores are read off the UI thread; every action has a "why not".
 */
public final class BackupsViewModel {

    /** A node of the images tree: a volume, a chain's head, or an image built on it. */
    public record Node(BackupRow row, List<Node> children) { }

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final KnownStores stores;
    private final BackupNow backupNow;
    private final VerifyControl verify;
    private final ImageDeletion deletion;
    private final Map<String, BackupRow> rows = new HashMap<>();

    // ---- properties
    private final ObjectProperty<Path> selectedStore = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<Map<Path, StoreListing>> listings = new ReadOnlyObjectWrapper<>(Map.of());
    private final ReadOnlyObjectWrapper<StoreListing> listing = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<List<Node>> tree = new ReadOnlyObjectWrapper<>(List.of());
    private final ObjectProperty<BackupRow> selected = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper removeBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper verifyBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper verifyAllBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper deleteBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper restoreBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyObjectWrapper<PoolSnapshot> pool = new ReadOnlyObjectWrapper<>();

    public BackupsViewModel(PoolBridge bridge, ActionStatus status, KnownStores stores) {
        this.bridge = bridge;
        this.status = status;
        this.stores = stores;
        this.backupNow = new BackupNow(bridge, status, this::refresh);
        this.verify = new VerifyControl(bridge, this::applyVerifyStates);
        this.deletion = new ImageDeletion(bridge, status, verify, this::refresh);
        if (!stores.list().isEmpty()) {
            selectedStore.set(stores.list().get(0));
        }
        selectedStore.addListener((o, was, now) -> {
            rows.clear();
            showListing();
            refresh();
        });
        stores.list().addListener((javafx.collections.ListChangeListener<Path>) c -> {
            // a store added elsewhere (a journal enabled) while none is shown is shown
            if (selectedStore.get() == null && !stores.list().isEmpty()) {
                selectedStore.set(stores.list().get(stores.list().size() - 1));
            }
        });
        removeBlocked.bind(Bindings.createStringBinding(() -> selectedStore.get() == null ? "choose a store first" : "",
                selectedStore));
        verifyBlocked.bind(Bindings.createStringBinding(() -> verify.runningProperty().get() ? "a verify is running; wait"
                + " for it to finish" : imageOf(selected.get()) == null ? "select an image first" : "",
                verify.runningProperty(), selected));
        verifyAllBlocked.bind(Bindings.createStringBinding(() -> verify.runningProperty().get() ? "a verify is running;"
                + " wait for it to finish" : listing.get() == null || listing.get().images().isEmpty()
                ? "this store holds no image" : "", verify.runningProperty(), listing));
        deleteBlocked.bind(Bindings.createStringBinding(this::whyNotDelete, selected, listing, pool,
                verify.runningProperty(), status.busyProperty()));
        restoreBlocked.bind(Bindings.createStringBinding(this::whyNotRestore, selected, pool));
    }

    // ---- properties

    /** The stores known, in the order added. */
    public ObservableList<Path> stores() {
        return stores.list();
    }

    /** Every known store's listing as last read (its summary line for the list). */
    public ReadOnlyObjectProperty<Map<Path, StoreListing>> listingsProperty() {
        return listings.getReadOnlyProperty();
    }

    /** The store whose images are shown (input). */
    public ObjectProperty<Path> selectedStoreProperty() {
        return selectedStore;
    }

    /** The selected store's listing; null until read. */
    public ReadOnlyObjectProperty<StoreListing> listingProperty() {
        return listing.getReadOnlyProperty();
    }

    /** The selected store's images: volumes → chains → images built on them. */
    public ReadOnlyObjectProperty<List<Node>> treeProperty() {
        return tree.getReadOnlyProperty();
    }

    /** The row selected in the tree (input). */
    public ObjectProperty<BackupRow> selectedProperty() {
        return selected;
    }

    public BackupNow backupNow() {
        return backupNow;
    }

    /** "Verifying 2 of 5: … 42.1% · 35.0 MB/s", then the outcome. */
    public ReadOnlyStringProperty verifyLineProperty() {
        return verify.lineProperty();
    }

    public ReadOnlyStringProperty removeBlockedProperty() {
        return removeBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty verifyBlockedProperty() {
        return verifyBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty verifyAllBlockedProperty() {
        return verifyAllBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty deleteBlockedProperty() {
        return deleteBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty restoreBlockedProperty() {
        return restoreBlocked.getReadOnlyProperty();
    }

    private static ImageInfo imageOf(BackupRow r) {
        return r == null ? null : r.info();
    }

    private String whyNotDelete() {
        return deletion.whyNot(imageOf(selected.get()), listing.get(), pool.get());
    }

    private String whyNotRestore() {
        ImageInfo i = imageOf(selected.get());
        PoolSnapshot s = pool.get();
        if (i == null) {
            return "select an image first";
        }
        if (s != null && s.volume(i.volume()) == null) {
            return "this pool has no volume named " + i.volume() + " to restore the image onto";
        }
        return "";
    }

    // ---- updates

    /** Takes the pairs of a new query (UI thread): a pair restoring a volume from its BCV blocks its backup. */
    public void apply(List<org.splitpoint.engine.pool.PairAdmin.PairView> p) {
        backupNow.apply(p);
    }

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        pool.set(s);
        backupNow.apply(s);
        learnStoresOfLastBackups(s);
    }

    /** The volumes' last backups seen in this session, each looked up once for its store. */
    private final java.util.Set<String> lastBackupsSeen = new java.util.HashSet<>();

    /**
     * A backup made from a shell (forwarded to this app, or before it ran) into a store the view
     * did not list: the volume's last backup was there, and the Backups view said "No backup store
     * yet" or showed another store. The store of each last backup is listed once a session when it is
     * first seen, as a journal's store is (a store the administrator removed comes back only with a
     * new backup into it).
     */
    private void learnStoresOfLastBackups(PoolSnapshot s) {
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            String id = v.lastBackup();
            if (id == null || !lastBackupsSeen.add(v.name() + "/" + id)) {
                continue;
            }
            String volume = v.name();
            bridge.run(p -> {
                org.splitpoint.engine.pool.PoolConfig.BackupRecord r = p.backups().lastBackup(volume);
                return r == null || r.store() == null ? "" : r.store();
            }, store -> {
                if (!store.isEmpty() && stores.add(KnownStores.normal(Path.of(store)))) {
                    refresh();
                }
            }, why -> { }); // the listing says what is wrong with a store; a lookup that failed tries nothing
        }
    }

    /** Reads every known store again (in the background). */
    public void refresh() {
        List<Path> dirs = List.copyOf(stores.list());
        bridge.run(StoreListing.reading(read -> {
            Map<Path, StoreListing> out = new HashMap<>();
            for (Path d : dirs) {
                out.put(d, read.apply(d));
            }
            return out;
        }), m -> {
            listings.set(Map.copyOf(m));
            showListing();
        }, status::failed);
    }

    private void showListing() {
        Path dir = selectedStore.get();
        StoreListing l = dir == null ? null : listings.get().get(dir);
        listing.set(l);
        backupNow.apply(l);
        List<Node> nodes = new ArrayList<>();
        Map<String, BackupRow> keep = new HashMap<>();
        if (l != null) {
            for (ImageChains.VolumeImages v : ImageChains.of(l.images())) {
                BackupRow vr = row(keep, "volume:" + v.volume(), () -> BackupRow.volume(v));
                vr.update(v);
                List<Node> chains = new ArrayList<>();
                for (ImageChains.Chain c : v.chains()) {
                    BackupRow head = row(keep, c.head().id(), () -> BackupRow.image(c.head()));
                    head.update(c.head(), c.broken());
                    List<Node> built = new ArrayList<>();
                    for (ImageInfo i : c.builtOn()) {
                        BackupRow r = row(keep, i.id(), () -> BackupRow.image(i));
                        r.update(i, null);
                        built.add(new Node(r, List.of()));
                    }
                    chains.add(new Node(head, built));
                }
                nodes.add(new Node(vr, chains));
            }
        }
        rows.clear();
        rows.putAll(keep);
        applyVerifyStates();
        tree.set(List.copyOf(nodes));
        if (selected.get() != null && !rows.containsValue(selected.get())) {
            selected.set(null);
        }
    }

    private BackupRow row(Map<String, BackupRow> keep, String key, java.util.function.Supplier<BackupRow> make) {
        BackupRow r = rows.get(key);
        if (r == null) {
            r = make.get();
        }
        keep.put(key, r);
        return r;
    }

    private void applyVerifyStates() {
        Path dir = selectedStore.get();
        for (BackupRow r : rows.values()) {
            if (r.isImage() && dir != null) {
                r.setVerify(verify.stateOf(dir, r.info().id()));
            }
        }
    }

    // ---- commands

    /**
     * {@link #whyNotStore} asked in the background, as the Add store dialog asks it at each key typed:
     * it looks at the path, which an automounted or hung network directory can hold for seconds, and
     * the window froze meanwhile. {@code answer} gets the sentence on the UI thread.
     */
    public void judgeStore(String typed, java.util.function.Consumer<String> answer) {
        bridge.look(() -> whyNotStore(typed), answer);
    }

    /**
     * Why the directory typed cannot be added as a store, before anything is read; "" when it can be
     * tried. It looks at the path (a stat, a directory's first entry): not on the UI thread.
     */
    public String whyNotStore(String typed) {
        String t = typed == null ? "" : typed.trim();
        if (t.isEmpty()) {
            return "type or choose the store's directory";
        }
        try {
            Path.of(t);
        } catch (java.nio.file.InvalidPathException e) {
            return "\"" + t + "\" is not a path: " + e.getReason();
        }
        if (!t.startsWith("~") && !Path.of(t).isAbsolute()) {
            // relative to wherever the app was started: not a place anyone means (the journal's form says the same)
            return "give the store's full path (from /)";
        }
        Path dir = storeDir(t);
        if (new PoolPaths(bridge.poolDir()).holds(dir)) {
            return "the backup store " + dir + " is inside the pool; keep backups outside it (a backup that dies"
                    + " with the pool is no backup)";
        }
        // what a look at the path itself tells, said in the dialog (the engine's words); reading the
        // store's images is left to the listing, off this thread
        if (Files.isRegularFile(dir)) {
            return dir + " is a file, not a backup store directory";
        }
        if (Files.isDirectory(dir) && !Files.exists(dir.resolve("store.json")) && !StoreListing.isNewStore(dir)) {
            return dir + " is not a Splitpoint backup store (it has no store.json and is not empty)";
        }
        // a directory that would become a store must take one; an existing store on read-only media is
        // still one to list, verify and restore from
        String readOnly = StoreListing.isNewStore(dir) ? DirectoryStore.whyNotWritable(dir) : null;
        return readOnly == null ? "" : readOnly;
    }

    private static Path storeDir(String trimmed) {
        String t = trimmed.startsWith("~") ? System.getProperty("user.home") + trimmed.substring(1) : trimmed;
        return KnownStores.normal(Path.of(t));
    }

    /**
     * Adds the store at {@code typed} (a path; "~" is the home directory) after reading it: a store,
     * or a new or empty directory that becomes one with its first backup. Anything else is refused
     * with the engine's sentence, and nothing is remembered.
     */
    public void addStore(String typed) {
        bridge.look(() -> whyNotStore(typed), why -> { // it looks at the path: not on the UI thread
            if (!why.isEmpty()) {
                status.failed(why);
                return;
            }
            add(storeDir(typed.trim()));
        });
    }

    private void add(Path dir) {
        bridge.run(StoreListing.reading(read -> read.apply(dir)), l -> {
            if (l.problem() != null) {
                status.failed(l.problem());
                return;
            }
            stores.add(dir);
            Map<Path, StoreListing> m = new HashMap<>(listings.get());
            m.put(dir, l);
            listings.set(Map.copyOf(m));
            selectedStore.set(dir);
            showListing();
            status.succeeded("Backup store " + dir + " added: " + l.summary());
        }, status::failed);
    }

    /** Forgets the selected store (its images stay on disk). */
    public void removeStore() {
        Path dir = selectedStore.get();
        if (dir == null) {
            return;
        }
        stores.remove(dir);
        status.succeeded("Backup store " + dir + " removed from the list; its images stay where they are");
        selectedStore.set(stores.list().isEmpty() ? null : stores.list().get(0));
    }

    public void verifySelected() {
        ImageInfo i = imageOf(selected.get());
        if (verifyBlocked.get().isEmpty() && i != null) {
            verify.verify(selectedStore.get(), List.of(i));
        }
    }

    public void verifyAll() {
        if (verifyAllBlocked.get().isEmpty()) {
            verify.verify(selectedStore.get(), listing.get().images());
        }
    }

    /** The images that build on the selected one (deleted with it only when asked). */
    public List<String> dependents() {
        return ImageDeletion.dependents(imageOf(selected.get()), listing.get());
    }

    /** Why a delete of the selected image alone is refused (images build on it), or empty. */
    public String deleteRefusal(boolean withDependents) {
        return ImageDeletion.refusal(imageOf(selected.get()), listing.get(), withDependents);
    }

    /** What deleting the selected image does, for the typed confirmation (its id is typed). */
    public Confirmation deleteConfirmation() {
        return ImageDeletion.confirmation(imageOf(selected.get()), listing.get());
    }

    /** Deletes the selected image (and, with {@code withDependents}, those that build on it: newest first). */
    public void delete(boolean withDependents) {
        ImageInfo i = imageOf(selected.get());
        if (i != null && deleteBlocked.get().isEmpty()) {
            deletion.delete(i, listing.get(), withDependents);
        }
    }
}
