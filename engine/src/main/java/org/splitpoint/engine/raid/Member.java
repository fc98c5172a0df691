package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.DriveState;

/**
 * One member of a volume: a drive image and its state as the data path sees it.
 *
 * <p>State changes are volatile writes so the I/O path can check them without locks. A REBUILDING
 * member holds valid rows below {@link #rebuiltUpTo()} only; above, it is treated as absent.
 * An I/O error (but not an injected power cut) marks the member FAILED at once and tells the
 * volume's listener, which persists it; a failed member never silently comes back.
 */
public final class Member {

    /** Thrown to the volume when a member failed during an operation; the volume retries degraded. */
    static final class FailedException extends IOException {
        FailedException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private final int index;
    private final String drive;
    private volatile StorageFile file;
    private volatile DriveState state;
    private volatile long rebuiltUpTo;
    private volatile MemberFailureListener listener = (m, e) -> { };

    public Member(int index, String drive, StorageFile file, DriveState state) {
        this.index = index;
        this.drive = drive;
        this.file = file;
        this.state = file == null && state != DriveState.FAILED ? DriveState.MISSING : state;
    }

    public int index() {
        return index;
    }

    public String drive() {
        return drive;
    }

    public DriveState state() {
        return state;
    }

    public long rebuiltUpTo() {
        return rebuiltUpTo;
    }

    void setListener(MemberFailureListener listener) {
        this.listener = listener;
    }

    /** Changes the state; for REBUILDING, {@code rebuiltUpTo} is the row below which data is valid. */
    public void setState(DriveState state, long rebuiltUpTo) {
        this.rebuiltUpTo = rebuiltUpTo;
        this.state = state;
    }

    void advanceRebuilt(long upTo) {
        this.rebuiltUpTo = upTo;
    }

    /** Swaps in a new image (a replaced drive). */
    public void replaceFile(StorageFile newFile) throws IOException {
        StorageFile old = this.file;
        this.file = newFile;
        if (old != null) {
            old.close();
        }
    }

    /** True when the member holds valid data for member rows [from, to). */
    public boolean holds(long from, long to) {
        DriveState s = state;
        return s == DriveState.ONLINE || (s == DriveState.REBUILDING && to <= rebuiltUpTo);
    }

    /**
     * True when writes must reach this member. A REBUILDING member takes every write, also above its
     * rebuilt mark: the rebuild recomputes those rows from the same data later, so nothing is lost,
     * and no stripe is ever left short of a member (no write hole while rebuilding).
     */
    boolean takesWrites() {
        DriveState s = state;
        return s == DriveState.ONLINE || s == DriveState.REBUILDING;
    }

    void read(long position, ByteBuffer dst) throws IOException {
        try {
            file.readFully(position, dst);
        } catch (IOException e) {
            throw fail("read", e);
        }
    }

    void write(long position, ByteBuffer src) throws IOException {
        try {
            file.writeFully(position, src);
        } catch (IOException e) {
            throw fail("write", e);
        }
    }

    /** Makes the member's completed writes durable. */
    public void force() throws IOException {
        StorageFile f = file;
        if (f == null) {
            return;
        }
        try {
            f.force();
        } catch (IOException e) {
            throw fail("flush", e);
        }
    }

    private IOException fail(String op, IOException e) {
        if (e instanceof FaultInjector.PowerCutException || e instanceof java.io.InterruptedIOException) {
            return e; // not the drive's fault: the power went, or the caller was interrupted
        }
        if (state != DriveState.FAILED) {
            state = DriveState.FAILED;
            listener.memberFailed(this, op + " error: " + e.getMessage());
        }
        return new FailedException("drive " + drive + " failed on " + op + ": " + e.getMessage(), e);
    }

    void close() throws IOException {
        StorageFile f = file;
        if (f != null) {
            f.close();
        }
    }

    @Override
    public String toString() {
        return drive + "(" + state + ")";
    }
}
