package org.splitpoint.engine.nbd;

import org.splitpoint.engine.io.BlockDevice;

/**
 * What the server exports under one name: the device hosts see, and whether this connection may
 * write. {@code description} is shown by {@code nbdinfo}.
 */
public record Export(String name, BlockDevice device, boolean readOnly, String description) { }
