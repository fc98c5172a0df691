package org.splitpoint.app.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Keeps the window responsive while a copy runs at full speed: on Linux, lowers the CPU priority
 * (nice 10) of the process's busy background threads — the engine's copy jobs and member I/O, the
 * app's workers, workloads and samplers — so the FX and render threads, which need little CPU but
 * need it at once, win the scheduler when all cores are busy. Measured (bench/gui-bench.sh): without
 * it a full-speed restore on two cores delays the FX thread by 50 ms typically, 300+ ms at worst.
 *
 * <p>Java has no API for a thread's nice value, so this finds the threads by name in
 * /proc/self/task/{tid}/comm and runs {@code renice -n 10 -p tid} once per thread (raising one's own
 * nice needs no privilege). Elsewhere, or without renice, it does nothing. SPLITPOINT_NO_RENICE=1
 * turns it off (to compare).
 */
public final class ThreadNice {

    /** Thread names (as /proc shows them: the first 15 characters) that do background work. */
    static final List<String> BACKGROUND = List.of("splitpoint-job", "splitpoint-copy", "splitpoint-memb", "splitpoint-work",
            "splitpoint-time", "splitpoint-even", "splitpoint-expe", "splitpoint-nbd");
    private static final Path TASKS = Path.of("/proc/self/task");

    private final Set<String> done = new HashSet<>();
    private boolean off = System.getenv("SPLITPOINT_NO_RENICE") != null || !Files.isDirectory(TASKS);

    /** Renices background threads not seen before; cheap when there are none (a directory listing). */
    public synchronized void apply() {
        if (off) {
            return;
        }
        Set<String> alive = new HashSet<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String tid = t.getFileName().toString();
                alive.add(tid);
                if (done.contains(tid) || !background(comm(t))) {
                    continue;
                }
                done.add(tid);
                new ProcessBuilder("renice", "-n", "10", "-p", tid).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            }
            done.retainAll(alive); // a thread id the kernel hands out again is a new thread
        } catch (IOException e) {
            off = true; // no renice, no /proc: run as is
        }
    }

    static boolean background(String comm) {
        return comm != null && BACKGROUND.stream().anyMatch(comm::startsWith);
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return null; // the thread ended meanwhile
        }
    }
}
