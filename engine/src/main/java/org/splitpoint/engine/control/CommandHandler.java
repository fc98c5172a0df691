package org.splitpoint.engine.control;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/** Runs one forwarded command in the process that holds the pool; returns its exit code. */
@FunctionalInterface
public interface CommandHandler {
    int run(List<String> args, Path cwd, boolean terminal, InputStream stdin, OutputStream stdout, OutputStream stderr);
}
