package org.splitpoint.app.backup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The backup stores the administrator uses, remembered between runs ({@link Memory}: the app's
 * preferences, or a list in tests). Shared by the Backups view and the restore dialog. UI thread.
 */
public final class KnownStores {

    /** Where the list is kept. */
    public interface Memory {
        List<Path> load();

        void save(List<Path> stores);

        /** A list kept in memory only (tests, a window without preferences). */
        static Memory inMemory(List<Path> initial) {
            List<Path> kept = new ArrayList<>(initial);
            return new Memory() {
                @Override
                public List<Path> load() {
                    return List.copyOf(kept);
                }

                @Override
                public void save(List<Path> stores) {
                    kept.clear();
                    kept.addAll(stores);
                }
            };
        }
    }

    private final Memory memory;
    private final ObservableList<Path> stores = FXCollections.observableArrayList();
    private final ObservableList<Path> view = FXCollections.unmodifiableObservableList(stores);

    public KnownStores(Memory memory) {
        this.memory = memory;
        for (Path p : memory.load()) {
            Path n = normal(p);
            if (!stores.contains(n)) {
                stores.add(n);
            }
        }
    }

    /** The stores, in the order added. */
    public ObservableList<Path> list() {
        return view;
    }

    /** Remembers {@code dir} (absolute, normalized); false when it is known already. */
    public boolean add(Path dir) {
        Path n = normal(dir);
        if (stores.contains(n)) {
            return false;
        }
        stores.add(n);
        memory.save(List.copyOf(stores));
        return true;
    }

    /** Forgets {@code dir}; its images stay where they are. */
    public void remove(Path dir) {
        if (stores.remove(normal(dir))) {
            memory.save(List.copyOf(stores));
        }
    }

    public static Path normal(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
