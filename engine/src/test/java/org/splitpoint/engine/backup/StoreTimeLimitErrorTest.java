package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * An Error thrown by a store call on its helper thread (an OutOfMemoryError in the store's file
 * system code, say) reaches the waiting thread as an IOException. That thread may be a host's write
 * doing a backup's copy-before-write, which catches the store's IOExceptions to fail the backup and
 * go on; an Error went past that catch and failed the host's write for the backup's sake (h143).
 */
class StoreTimeLimitErrorTest {

    @Test
    void anErrorOnTheHelperThreadIsAnIoExceptionForTheCaller() {
        StoreTimeLimit limit = new StoreTimeLimit(5_000);
        assertThatThrownBy(() -> limit.call("writing images/x.partial/data", () -> {
            throw new OutOfMemoryError("Direct buffer memory");
        })).isInstanceOf(IOException.class).hasMessage("a call into the backup store failed: OutOfMemoryError: Direct"
                + " buffer memory").hasCauseInstanceOf(OutOfMemoryError.class);
        assertThat(limit.hung()).as("an answer, if a failed one: the store is not taken for hung").isNull();
    }

    @Test
    void anErrorInWhatAFailedBackupSetsAsideIsAnIoExceptionToo() {
        assertThatThrownBy(() -> StoreTimeLimit.aside("removing images/x.partial", 5_000, () -> {
            throw new StackOverflowError();
        })).isInstanceOf(IOException.class).hasMessage("removing images/x.partial failed: StackOverflowError");
    }
}
