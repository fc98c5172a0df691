package org.splitpoint.cli;

import java.nio.file.Path;

/** A command that works on an existing pool: it may be forwarded to the process holding it. */
interface PoolTarget {
    Path poolDir();
}
