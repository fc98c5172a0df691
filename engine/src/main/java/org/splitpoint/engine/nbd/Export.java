package org.splitpoint.engine.nbd;

import java.util.List;
import org.splitpoint.engine.io.BlockDevice;

/**
 * What the server exports under one name: the device hosts see, and whether this connection may
 * write. {@code description} is shown by {@code nbdinfo}; {@code contexts} are the metadata
 * contexts it offers beside {@code base:allocation}, which every export has.
 */
public record Export(String name, BlockDevice device, boolean readOnly, String description,
                     List<TrackContext> contexts) {

    public Export {
        contexts = List.copyOf(contexts);
    }

    /** An export with no context but {@code base:allocation}. */
    public Export(String name, BlockDevice device, boolean readOnly, String description) {
        this(name, device, readOnly, description, List.of());
    }
}
