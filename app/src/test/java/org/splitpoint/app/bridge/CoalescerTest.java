package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.ManualUi;

/** Coalescing of engine updates: one UI post per burst, latest value wins. */
class CoalescerTest {

    private final ManualUi ui = new ManualUi();
    private final List<String> delivered = new ArrayList<>();

    @Test
    void offersBeforeTheUiRunsPostOnceAndTheLatestWins() {
        Coalescer<String> c = new Coalescer<>(ui, Coalescer.latestWins(), delivered::add);
        c.offer("a");
        c.offer("b");
        c.offer("c");

        assertThat(ui.pending()).isEqualTo(1);
        ui.drain();
        assertThat(delivered).containsExactly("c");
    }

    @Test
    void anOfferAfterDeliveryPostsAgain() {
        Coalescer<String> c = new Coalescer<>(ui, Coalescer.latestWins(), delivered::add);
        c.offer("a");
        ui.drain();
        c.offer("b");
        ui.drain();

        assertThat(delivered).containsExactly("a", "b");
    }

    @Test
    void batchesMergeInOrderWithAConcatenatingMerge() {
        List<List<Integer>> got = new ArrayList<>();
        Coalescer<List<Integer>> c = new Coalescer<>(ui, (a, b) -> {
            List<Integer> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }, got::add);
        c.offer(List.of(1));
        c.offer(List.of(2, 3));
        ui.drain();

        assertThat(got).containsExactly(List.of(1, 2, 3));
    }
}
