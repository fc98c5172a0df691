package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;

/**
 * Commands forwarded to the process that holds the pool: one that changes the pool is logged
 * (received, done), one that only looks (status, lists, queries) is not — an administrator's
 * `watch pool status` put two INFO lines a second into the app's event log.
 */
class ForwardedQueryEventsTest {

    @TempDir
    Path tmp;

    @Test
    void aForwardedQueryLeavesTheEventLogAloneAndAChangeIsStillLogged() throws Exception {
        Path p = CliRun.pairedPool(tmp.resolve("pool"), "1M");
        List<String> logged;
        try (Holder h = new Holder(p)) {
            for (Object[] query : List.of(new Object[] {"pool", "status", p}, new Object[] {"volume", "list", p},
                    new Object[] {"pair", "query", p}, new Object[] {"drive", "list", p}, new Object[] {"job", "list", p})) {
                CliRun r = CliRun.of(query);
                assertThat(r.code()).as(r.err()).isZero();
            }
            CliRun missing = CliRun.of("pair", "query", p, "nosuch");
            assertThat(missing.code()).isNotZero();
            CliRun change = CliRun.of("pair", "establish", p, "p");
            assertThat(change.code()).as(change.err()).isZero();
            h.pool.events().drain();
            logged = EventBus.readLog(p.resolve("meta/events.jsonl"), 1000).stream().map(Event::message).toList();
        }
        assertThat(logged).as("a query that answered changed nothing").noneMatch(m -> m.contains("splitpoint pool status")
                || m.contains("splitpoint volume list") || m.contains("splitpoint drive list") || m.contains("splitpoint job list")
                || m.equals("command received: splitpoint pair query " + p) || m.equals("command done: splitpoint pair query " + p));
        assertThat(logged).as("a failed query still says why, once").filteredOn(m -> m.contains("pair query " + p + " nosuch"))
                .hasSize(1).allMatch(m -> m.startsWith("command failed"));
        assertThat(logged).contains("command received: splitpoint pair establish " + p + " p",
                "command done: splitpoint pair establish " + p + " p");
    }
}
