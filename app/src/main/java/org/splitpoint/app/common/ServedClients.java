package org.splitpoint.app.common;

import java.util.List;
import java.util.function.Function;

/**
 * The sentence an overwrite's confirmation adds when the volume it overwrites is served over NBD now:
 * a client (a VM, a mounted file system) reads the new data at once, without being told, so what it
 * cached no longer matches the disk. Shared by the pair console's restore and establish, a restore to
 * a snapshot and an instant restore from a backup: only the pair restore's said it (seen by hand).
 */
public final class ServedClients {

    /** Nobody is served: the function a model starts with until the window gives it the server's. */
    public static final Function<String, List<String>> NONE = v -> List.of();

    private ServedClients() {
    }

    /** Adds to {@code s} the sentence naming {@code clients} (their addresses) of {@code volume}; nothing when none. */
    public static void add(List<String> s, String volume, List<String> clients) {
        if (clients.isEmpty()) {
            return;
        }
        s.add(volume + " is served over NBD to " + (clients.size() == 1 ? "1 client" : clients.size() + " clients")
                + " (" + String.join(", ", clients) + "): " + (clients.size() == 1 ? "it stays" : "they stay")
                + " connected and reads the new data as it lands, with no warning. Unmount " + volume
                + " there (or stop the VM) first if it caches data, as a file system does.");
    }
}
