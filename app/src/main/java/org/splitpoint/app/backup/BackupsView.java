package org.splitpoint.app.backup;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.controlsfx.control.SegmentedButton;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.TypedConfirmDialog;
import org.splitpoint.engine.backup.ImageInfo;

/**
 * The Backups view: the known stores (path and what each holds) with Add store… and Remove; back
 * up a volume now (full or incremental, as it is or as one of its snapshots shows it) with the job's progress; the selected store's images as a
 * tree — volume, full image, the incrementals built on it — with kind, time, size, tracks and the
 * verify state; Verify, Verify all, Delete… (the id typed; images built on it only when ticked),
 * Restore…. FXML: BackupsView.fxml.
 */
public final class BackupsView extends VBox implements org.splitpoint.app.common.Shown {

    @FXML private ListView<Path> storesList;
    @FXML private Button addStore;
    @FXML private Button removeStore;
    @FXML private StackPane removeStoreWrap;
    @FXML private ComboBox<String> backupVolume;
    @FXML private ComboBox<BackupNow.Source> backupSource;
    @FXML private SegmentedButton backupKind;
    @FXML private ToggleButton backupIncremental;
    @FXML private ToggleButton backupFull;
    @FXML private Button backUp;
    @FXML private StackPane backUpWrap;
    @FXML private HBox backupProgressRow;
    @FXML private ProgressBar backupProgress;
    @FXML private Label backupProgressText;
    @FXML private Button cancelBackup;
    @FXML private StackPane cancelBackupWrap;
    @FXML private Label imagesTitle;
    @FXML private Label storeSummary;
    @FXML private TreeTableView<BackupRow> imagesTree;
    @FXML private TreeTableColumn<BackupRow, BackupRow> nameColumn;
    private Runnable refitColumns = () -> { };
    @FXML private TreeTableColumn<BackupRow, String> kindColumn;
    @FXML private TreeTableColumn<BackupRow, String> createdColumn;
    @FXML private TreeTableColumn<BackupRow, String> sizeColumn;
    @FXML private TreeTableColumn<BackupRow, String> tracksColumn;
    @FXML private TreeTableColumn<BackupRow, VerifyState> verifyColumn;
    @FXML private TreeTableColumn<BackupRow, String> parentColumn;
    @FXML private Label imagesPlaceholder;
    @FXML private Button verifyImage;
    @FXML private StackPane verifyWrap;
    @FXML private Button verifyAll;
    @FXML private StackPane verifyAllWrap;
    @FXML private Button deleteImage;
    @FXML private StackPane deleteWrap;
    @FXML private Button restoreImage;
    @FXML private StackPane restoreWrap;
    @FXML private Label verifyLine;
    @FXML private Label selectedDetail;
    @FXML private Label selectedContents;
    @FXML private Label selectedVerify;
    private BackupsViewModel model;
    private BiConsumer<Path, ImageInfo> restoreOpener;
    private boolean syncing;

    public BackupsView() {
        Fxml.load(this, "BackupsView");
    }

    /** {@code restore} opens the restore dialog for an image of a store. */
    public void bind(BackupsViewModel vm, BiConsumer<Path, ImageInfo> restore) {
        this.model = vm;
        this.restoreOpener = restore;
        bindStores(vm);
        bindBackup(vm.backupNow());
        bindTree(vm);
        Actions.bind(verifyImage, verifyWrap, vm.verifyBlockedProperty(),
                "Re-read the selected image and check every SHA-256 (its data file and each track).");
        Actions.bind(verifyAll, verifyAllWrap, vm.verifyAllBlockedProperty(),
                "Verify every image of this store, one by one.");
        Actions.bind(deleteImage, deleteWrap, vm.deleteBlockedProperty(),
                "Delete the selected image from the store (asks for its id; images built on it only when ticked).");
        Actions.bind(restoreImage, restoreWrap, vm.restoreBlockedProperty(),
                "Restore the volume of this name from the selected image (asks first).");
        verifyLine.textProperty().bind(vm.verifyLineProperty());
        // a button high at least: the row is bottom-aligned (a wrapped result grows it upwards, the buttons
        // staying put), and one line of the result, centred in that height, reads level with their labels
        verifyLine.minHeightProperty().bind(verifyImage.heightProperty());
        keepFocusThrough(verifyImage);
        keepFocusThrough(verifyAll);
    }

    /**
     * {@code b}, focused when it disabled itself for its work (Verify, while the image is read), takes the
     * focus back when it is enabled again. Disabled, it lost the focus to the next button the page could
     * take, Restore…, where it stayed: the Enter or Space meant for Verify went to Restore (seen by hand).
     * It is not taken back from a control the administrator went to meanwhile, only from those buttons.
     */
    private void keepFocusThrough(Button b) {
        boolean[] had = {false};
        b.disabledProperty().addListener((o, was, now) -> {
            if (now) {
                had[0] = b.isFocused();
                return;
            }
            javafx.scene.Node owner = b.getScene() == null ? null : b.getScene().getFocusOwner();
            if (had[0] && (owner == null || owner == verifyImage || owner == verifyAll || owner == deleteImage
                    || owner == restoreImage)) {
                b.requestFocus();
            }
            had[0] = false;
        });
    }

    private void bindStores(BackupsViewModel vm) {
        storesList.setItems(vm.stores());
        storesList.setCellFactory(l -> new StoreCell(p -> vm.listingsProperty().get().get(p)));
        vm.listingsProperty().addListener(o -> storesList.refresh());
        storesList.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (!syncing && now != null) {
                vm.selectedStoreProperty().set(now);
            }
        });
        ChangeListener<Path> select = (o, was, now) -> {
            syncing = true;
            storesList.getSelectionModel().select(now);
            syncing = false;
        };
        vm.selectedStoreProperty().addListener(select);
        select.changed(null, null, vm.selectedStoreProperty().get());
        Actions.bind(removeStore, removeStoreWrap, vm.removeBlockedProperty(),
                "Forget the selected store; its images stay where they are.");
        addStore.setTooltip(new javafx.scene.control.Tooltip("Name a directory for backups: a store, or a new or empty"
                + " directory that becomes one with its first backup."));
        imagesTitle.textProperty().bind(Bindings.createStringBinding(() -> vm.selectedStoreProperty().get() == null
                ? "Images" : "Images in " + vm.selectedStoreProperty().get(), vm.selectedStoreProperty()));
        storeSummary.textProperty().bind(Bindings.createStringBinding(() -> vm.listingProperty().get() == null ? ""
                : vm.listingProperty().get().summary(), vm.listingProperty()));
        imagesPlaceholder.textProperty().bind(Bindings.createStringBinding(() -> placeholder(vm),
                vm.listingProperty(), vm.selectedStoreProperty()));
    }

    private static String placeholder(BackupsViewModel vm) {
        StoreListing l = vm.listingProperty().get();
        if (vm.selectedStoreProperty().get() == null) {
            return "Add a store to see its images.";
        }
        if (l == null) {
            return "Reading the store…";
        }
        if (l.problem() != null) {
            return l.problem();
        }
        return l.isNew() ? "A new store: it is made when the first backup goes there." : "No images yet: back a volume up.";
    }

    private void bindBackup(BackupNow b) {
        backupVolume.setItems(b.volumes());
        backupVolume.valueProperty().bindBidirectional(b.volumeProperty());
        backupVolume.setTooltip(new javafx.scene.control.Tooltip("The volume to back up."));
        backupSource.setItems(b.sources());
        backupSource.valueProperty().bindBidirectional(b.sourceProperty());
        backupSource.setTooltip(new javafx.scene.control.Tooltip("What the image holds: the volume as it is when the"
                + " backup starts, or as one of its snapshots shows it (the image then carries the snapshot's time)."));
        backupFull.setSelected(b.fullProperty().get());
        backupIncremental.setSelected(!b.fullProperty().get());
        backupKind.getToggleGroup().selectedToggleProperty().addListener((o, was, now) -> {
            if (now == null) {
                was.setSelected(true); // one of the two is always chosen
            } else {
                b.fullProperty().set(now == backupFull);
            }
        });
        b.fullProperty().addListener((o, was, now) -> (now ? backupFull : backupIncremental).setSelected(true));
        backupIncremental.setTooltip(new javafx.scene.control.Tooltip("Only the tracks changed since the volume's last"
                + " backup, as an image that builds on it (in the same store)."));
        backupFull.setTooltip(new javafx.scene.control.Tooltip("Every track: a new chain, in any store."));
        Actions.bind(backUp, backUpWrap, b.blockedProperty(), "Back the volume up into the selected store now; the image"
                + " is the volume as it is at this instant (or as the chosen snapshot shows it), whatever is written"
                + " meanwhile.");
        Actions.bind(cancelBackup, cancelBackupWrap, b.cancelBlockedProperty(),
                "Stop the backup: no image is made, and its tracks count for the next one.");
        backupProgress.progressProperty().bind(Bindings.max(0, b.progressProperty()));
        backupProgressText.textProperty().bind(b.progressTextProperty());
        backupProgressRow.visibleProperty().bind(Bindings.isNotEmpty(b.progressTextProperty()));
        backupProgressRow.managedProperty().bind(backupProgressRow.visibleProperty());
    }

    private void bindTree(BackupsViewModel vm) {
        imagesTree.setRoot(new TreeItem<>());
        nameColumn.setCellValueFactory(c -> new javafx.beans.property.ReadOnlyObjectWrapper<>(c.getValue().getValue()));
        nameColumn.setCellFactory(c -> new NameCell());
        kindColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().kind()));
        createdColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().created()));
        sizeColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().size()));
        tracksColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().tracksHeld()));
        tracksColumn.setCellFactory(c -> new javafx.scene.control.TreeTableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                BackupRow r = empty || getTableRow() == null || getTableRow().getItem() == null ? null
                        : getTableRow().getItem();
                setText(empty ? null : item);
                String why = r == null ? "" : r.tracksHeldWhy();
                setTooltip(why.isEmpty() ? null : new javafx.scene.control.Tooltip(why));
            }
        });
        parentColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().buildsOn()));
        verifyColumn.setCellValueFactory(c -> c.getValue().getValue().isImage()
                ? c.getValue().getValue().verifyProperty() : new javafx.beans.property.ReadOnlyObjectWrapper<>(null));
        verifyColumn.setCellFactory(c -> new VerifyCell());
        // kind and time step aside first: an image's id says both
        refitColumns = ImageColumns.fit(imagesTree, nameColumn, List.of(kindColumn, createdColumn),
                List.of(sizeColumn, tracksColumn));
        vm.treeProperty().addListener((o, was, now) -> showTree(now));
        showTree(vm.treeProperty().get());
        imagesTree.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (!syncing) {
                vm.selectedProperty().set(now == null ? null : now.getValue());
            }
        });
        ChangeListener<VerifyState> verifyChanged = (o, was, now) ->
                SelectionLines.show(selectedDetail, selectedContents, selectedVerify, vm.selectedProperty().get());
        vm.selectedProperty().addListener((o, was, now) -> {
            if (was != null) {
                was.verifyProperty().removeListener(verifyChanged);
            }
            if (now != null) {
                now.verifyProperty().addListener(verifyChanged);
            }
            SelectionLines.show(selectedDetail, selectedContents, selectedVerify, now);
        });
        SelectionLines.show(selectedDetail, selectedContents, selectedVerify, null);
        imagesTree.setOnKeyPressed(e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.DELETE && !deleteImage.isDisabled()) {
                delete();
            }
        });
    }

    private void showTree(List<BackupsViewModel.Node> nodes) {
        BackupRow keep = model.selectedProperty().get();
        syncing = true;
        try {
            TreeItem<BackupRow> root = imagesTree.getRoot();
            root.getChildren().setAll(nodes.stream().map(BackupsView::item).toList());
            imagesTree.refresh(); // rows are kept across listings: their cells must show the new figures
            ImageColumns.widenToShow(imagesTree, tracksColumn, BackupRow::tracksHeld); // before the image column takes the rest
            refitColumns.run(); // the ids listed now may be longer or shorter
            TreeItem<BackupRow> again = keep == null ? null : find(root, keep);
            if (again != null) {
                imagesTree.getSelectionModel().select(again);
            } else {
                imagesTree.getSelectionModel().clearSelection();
            }
        } finally {
            syncing = false;
        }
    }

    private static TreeItem<BackupRow> item(BackupsViewModel.Node n) {
        TreeItem<BackupRow> t = new TreeItem<>(n.row());
        t.setExpanded(true);
        n.children().forEach(c -> t.getChildren().add(item(c)));
        return t;
    }

    private static TreeItem<BackupRow> find(TreeItem<BackupRow> from, BackupRow row) {
        if (from.getValue() == row) {
            return from;
        }
        for (TreeItem<BackupRow> c : from.getChildren()) {
            TreeItem<BackupRow> f = find(c, row);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    // ---- actions

    @FXML
    public void addStore() {
        AddStoreDialog.ask(getScene().getWindow(), "Add a backup store", null, model::judgeStore).ifPresent(model::addStore);
    }

    @FXML
    public void removeStore() {
        model.removeStore();
    }

    @FXML
    public void backUp() {
        model.backupNow().backUp();
    }

    @FXML
    public void cancelBackup() {
        model.backupNow().cancel();
    }

    @FXML
    public void verify() {
        model.verifySelected();
    }

    @FXML
    public void verifyAll() {
        model.verifyAll();
    }

    @FXML
    public void delete() {
        if (!model.deleteBlockedProperty().get().isEmpty()) {
            return;
        }
        Confirmation c = model.deleteConfirmation();
        List<String> dependents = model.dependents();
        CheckBox chain = null;
        javafx.beans.value.ObservableValue<String> refused = null;
        if (!dependents.isEmpty()) {
            chain = new CheckBox("and the images that build on it (" + dependents.size() + ")");
            chain.setId("deleteChain");
            CheckBox box = chain;
            refused = Bindings.createStringBinding(() -> model.deleteRefusal(box.isSelected()), box.selectedProperty());
        }
        if (TypedConfirmDialog.ask(getScene().getWindow(), c, chain, refused)) {
            model.delete(chain != null && chain.isSelected());
        }
    }

    @FXML
    public void restore() {
        BackupRow r = model.selectedProperty().get();
        if (r != null && r.isImage() && model.restoreBlockedProperty().get().isEmpty()) {
            restoreOpener.accept(model.selectedStoreProperty().get(), r.info());
        }
    }

    /** Reads the stores again (the view is shown). */
    @Override
    public void shown(boolean on) {
        if (on) {
            model.refresh();
        }
    }

}
