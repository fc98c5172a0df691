package org.splitpoint.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A command on an existing pool: its POOL argument, its streams; forwardable to the pool's holder. */
abstract class OnPool implements Callable<Integer>, PoolTarget {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "POOL", description = "pool directory")
    Path dir;

    @Override
    public Path poolDir() {
        return dir;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
