package org.splitpoint.engine.nbd;

import java.util.List;
import org.splitpoint.engine.io.BlockDevice;

/**
 * What the server exports under one name: the device hosts see, and whether this connection may
 * write. {@code description} is shown by {@code nbdinfo}; {@code contexts} are the metadata
 * contexts it offers beside {@code base:allocation}, which every export has. {@code identity} is
 * what the name stands for (equal for two look-ups of the same thing, different once it was
 * deleted and another made under the same name: a snapshot taken again), so a connection is
 * retired when its export is replaced, not only when its name goes away ({@code ExportWatch}).
 */
public record Export(String name, BlockDevice device, boolean readOnly, String description,
                     List<TrackContext> contexts, Object identity) {

    public Export {
        contexts = List.copyOf(contexts);
        java.util.Objects.requireNonNull(identity, "identity");
    }

    /** An export whose name always stands for the same thing. */
    public Export(String name, BlockDevice device, boolean readOnly, String description, List<TrackContext> contexts) {
        this(name, device, readOnly, description, contexts, name);
    }

    /** An export with no context but {@code base:allocation}, whose name always stands for the same thing. */
    public Export(String name, BlockDevice device, boolean readOnly, String description) {
        this(name, device, readOnly, description, List.of());
    }
}
