package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Path;
import org.splitpoint.engine.io.PoolLockHandle;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * The pool's files, which it stops changing once it is halted ({@link Pool#halt}): pool.json was
 * replaced but its directory could not be synced, so what a power cut leaves of it is unknown.
 *
 * <p>Design. From then on the opening must do nothing a crash at that instant would not have left:
 * it creates, renames, deletes, syncs and opens for writing no file (the undo a caller makes of a
 * decision it was told failed would delete or rename files the new pool.json names). Files open
 * already are not touched here: hosts' writes are refused by {@link HostView}, and every decision
 * needs pool.json, which refuses. Reads go on.
 */
final class HaltingStorage implements StorageFactory {

    private final StorageFactory files;
    private volatile String halted;

    HaltingStorage(StorageFactory files) {
        this.files = files;
    }

    /** Refuses every change from now on, with {@code why}. */
    void halt(String why) {
        halted = why;
    }

    /** Why the pool stopped changing its files, or null. */
    String halted() {
        return halted;
    }

    private void refuseIfHalted() throws IOException {
        String why = halted;
        if (why != null) {
            throw new IOException(why);
        }
    }

    @Override
    public StorageFile open(Path path) throws IOException {
        refuseIfHalted();
        return files.open(path);
    }

    @Override
    public StorageFile openRead(Path path) throws IOException {
        return files.openRead(path);
    }

    @Override
    public StorageFile create(Path path) throws IOException {
        refuseIfHalted();
        return files.create(path);
    }

    @Override
    public void createDirectory(Path dir) throws IOException {
        refuseIfHalted();
        files.createDirectory(dir);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        refuseIfHalted();
        files.rename(from, to);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        refuseIfHalted();
        files.syncDirectory(dir);
    }

    @Override
    public void delete(Path path) throws IOException {
        refuseIfHalted();
        files.delete(path);
    }

    @Override
    public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
        return files.tryLock(lockFile, holder);
    }

    @Override
    public String lockHolder(Path lockFile) throws IOException {
        return files.lockHolder(lockFile);
    }
}
