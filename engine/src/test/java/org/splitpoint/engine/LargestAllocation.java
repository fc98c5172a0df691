package org.splitpoint.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The largest single heap allocation a piece of work makes on the calling thread, from Java Flight
 * Recorder's allocations outside a thread-local buffer (every one is recorded, none sampled; a
 * buffer of a megabyte or more is always one). For tests that a buffer does not grow with a track.
 */
public final class LargestAllocation {

    /** Work that may throw. */
    public interface Work {
        void run() throws Exception;
    }

    private LargestAllocation() {
    }

    /** Runs {@code work} and returns the size in bytes of the largest object it allocated outside a TLAB on this thread. */
    public static long during(Work work) throws Exception {
        long tid = Thread.currentThread().getId();
        return during(work, t -> t.getJavaThreadId() == tid);
    }

    /**
     * Runs {@code work} and returns the size of the largest object allocated outside a TLAB meanwhile
     * by threads whose name starts with {@code threadPrefix} (a job's thread, say).
     */
    public static long byThreads(String threadPrefix, Work work) throws Exception {
        return during(work, t -> t.getJavaName() != null && t.getJavaName().startsWith(threadPrefix));
    }

    private static long during(Work work, java.util.function.Predicate<jdk.jfr.consumer.RecordedThread> threads)
            throws Exception {
        Path file = Files.createTempFile("allocations", ".jfr");
        try (Recording rec = new Recording()) {
            rec.enable("jdk.ObjectAllocationOutsideTLAB");
            rec.start();
            try {
                work.run();
            } finally {
                rec.stop();
            }
            rec.dump(file);
            long largest = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (e.getThread() != null && threads.test(e.getThread())) {
                    largest = Math.max(largest, e.getLong("allocationSize"));
                }
            }
            return largest;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
