package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A holder's command sets are built ahead, off the thread of the command that takes one, and each
 * is handed to one command only (picocli keeps a parse's values in it).
 */
class CommandLineAheadTest {

    /** What a build made: its number and the thread that built it. */
    private record Built(int n, String thread) { }

    private final AtomicInteger builds = new AtomicInteger();
    private final List<Built> made = new CopyOnWriteArrayList<>();

    private Built build() {
        Built b = new Built(builds.incrementAndGet(), Thread.currentThread().getName());
        made.add(b);
        return b;
    }

    @Test
    void eachCommandTakesOneBuiltAheadAndNeverOneAnotherHad() {
        CommandLineAhead<Built> ahead = new CommandLineAhead<>(this::build);
        String me = Thread.currentThread().getName();
        Built first = ahead.take();
        ahead.buildNext(); // as a holder does once a command ended
        Built second = ahead.take();
        ahead.buildNext();
        Built third = ahead.take();
        assertThat(List.of(first, second, third)).extracting(Built::thread).doesNotContain(me);
        assertThat(List.of(first.n(), second.n(), third.n())).containsExactly(1, 2, 3);
    }

    @Test
    void twoTakesWithNothingBuiltBetweenEachGetTheirOwn() {
        CommandLineAhead<Built> ahead = new CommandLineAhead<>(this::build);
        Built first = ahead.take();
        Built second = ahead.take(); // a second command arriving while the first runs: built on its own thread
        assertThat(second).isNotSameAs(first);
        assertThat(second.thread()).isEqualTo(Thread.currentThread().getName());
        ahead.buildNext();
        ahead.buildNext(); // one ahead at most
        ahead.take();
        assertThat(builds.get()).isEqualTo(3);
    }

    @Test
    void aBuildThatFailedAheadIsDoneAgainByTheCommand() {
        AtomicInteger calls = new AtomicInteger();
        CommandLineAhead<Built> ahead = new CommandLineAhead<>(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first build fails");
            }
            return build();
        });
        Built b = ahead.take();
        assertThat(b.thread()).isEqualTo(Thread.currentThread().getName());
        assertThat(calls.get()).isEqualTo(2);
    }

    /** The holder's real command set: built ahead, it parses and runs a command as one built there would. */
    @Test
    void aCommandSetBuiltAheadRunsACommand() {
        CommandLineAhead<picocli.CommandLine> ahead = new CommandLineAhead<>(Splitpoint::newCommandLine);
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Splitpoint.run(ahead.take(), new String[] {"--version"}, new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("splitpoint 0.1.0");
    }
}
