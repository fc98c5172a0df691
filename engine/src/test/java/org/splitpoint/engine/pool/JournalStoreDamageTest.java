package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal whose backup store has a garbage store.json: the pool showed HEALTHY and the damage
 * surfaced only when the next ship failed. It is said at open (a note) and stands as a warning in
 * the pool's status (health WARNING) until a ship opens the store again.
 */
class JournalStoreDamageTest {

    @TempDir
    Path tmp;

    @Test
    void aJournalsDamagedStoreIsAWarningFromTheOpenUntilItIsRepaired() throws Exception {
        Path dir = tmp.resolve("p");
        Path store = tmp.resolve("store");
        JournaledPools.journaled(dir, store);
        byte[] good = Files.readAllBytes(store.resolve("store.json"));
        Files.writeString(store.resolve("store.json"), "garbage, not a store record");

        try (Pool pool = Pool.open(dir)) {
            PoolSnapshot s = pool.snapshot();
            assertThat(s.health()).isEqualTo(PoolSnapshot.Health.WARNING);
            assertThat(s.warnings()).singleElement().satisfies(w -> assertThat(w)
                    .startsWith("the journal of v cannot ship: the backup store at " + store + " is damaged: ")
                    .endsWith("; its next ship fails and its entries stay in the journal: repair the store, or disable the"
                            + " journal and enable it with another store"));
            assertThat(pool.openNotes()).contains(s.warnings().get(0));
            assertThat(pool.problems()).as("a warning, not a problem that fails every command").isEmpty();
            pool.device("v").write(0, java.nio.ByteBuffer.wrap(new byte[JournaledPools.TRACK])); // an entry to ship
            pool.device("v").flush();
            assertThatThrownBy(() -> pool.journals().ship("v")).hasMessageContaining("is damaged");
            assertThat(pool.snapshot().warnings()).hasSize(1);

            Files.write(store.resolve("store.json"), good); // repaired
            assertThat(pool.journals().ship("v").await(60_000)).isTrue();
            assertThat(pool.snapshot().warnings()).isEmpty();
            assertThat(pool.snapshot().health()).isEqualTo(PoolSnapshot.Health.HEALTHY);
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().warnings()).isEmpty();
            assertThat(pool.openNotes()).noneMatch(n -> n.contains("cannot ship"));
        }
    }
}
