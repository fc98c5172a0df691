package org.splitpoint.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.splitpoint.engine.pool.PoolException;

/**
 * What a command's exception means for a person: one sentence naming the path or address and the
 * cause, and the exit code (1 failed or refused, 2 usage error). The JDK's file-system exceptions
 * carry only a path (their message is often the bare path), so they are put into words here,
 * once, for every command.
 */
final class Failures {

    /** The sentence (without the "splitpoint: " prefix) and the exit code. */
    record Failure(String sentence, int code) { }

    private Failures() {
    }

    static Failure of(Throwable thrown) {
        Throwable e = unwrap(thrown);
        if (e instanceof Splitpoint.CommandFailed) {
            return new Failure(e.getMessage(), 1);
        }
        if (e instanceof UnresolvedAddressException) { // an IllegalArgumentException without a message
            return new Failure("a host name does not resolve to an address", 2);
        }
        if (e instanceof IllegalArgumentException) {
            return new Failure(messageOf(e), 2);
        }
        if (e instanceof FileSystemException f) {
            return new Failure(fileSystem(f), 1);
        }
        if (e instanceof UnknownHostException) {
            return new Failure("host " + e.getMessage() + " does not resolve to an address", 1);
        }
        if (e instanceof BindException) {
            return new Failure("cannot listen on the address asked for: " + messageOf(e), 1);
        }
        if (e instanceof PoolException || e instanceof IOException) {
            return new Failure(messageOf(e), 1);
        }
        return new Failure("internal error: " + e + " (a bug: please report it with the command that caused it)", 1);
    }

    /** The exception that says what happened, under the wrappers that only carry it. */
    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        for (int i = 0; i < 8 && t.getCause() != null; i++) {
            if (t instanceof UncheckedIOException || t instanceof java.util.concurrent.ExecutionException
                    || t instanceof java.util.concurrent.CompletionException
                    || t instanceof java.lang.reflect.UndeclaredThrowableException) {
                t = t.getCause();
            } else if (!(t instanceof IOException) && !(t instanceof PoolException) && t instanceof RuntimeException
                    && t.getCause() instanceof IOException) {
                t = t.getCause(); // a RuntimeException carrying an I/O failure up through a callback
            } else {
                break;
            }
        }
        return t;
    }

    private static String messageOf(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** A file-system refusal as a sentence: the path, the cause, and for the common causes what to do. */
    static String fileSystem(FileSystemException f) {
        String file = f.getFile() == null ? "a file" : f.getFile();
        String other = f.getOtherFile() == null ? "" : " (moving it to " + f.getOtherFile() + ")";
        String reason = f.getReason() == null ? "" : f.getReason();
        if (f instanceof NoSuchFileException) {
            Path p = Path.of(file);
            Path parent = p.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                return "cannot use " + file + ": directory " + parent + " does not exist";
            }
            return file + " does not exist" + other;
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied on " + file + other + ": check that you may read and write it and its directory"
                    + " (owner and mode)";
        }
        if (f instanceof FileAlreadyExistsException) {
            return file + " already exists" + other;
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "directory " + file + " is not empty";
        }
        if (f instanceof NotDirectoryException) {
            return file + " is not a directory";
        }
        if (reason.contains("Operation not permitted")) {
            return "the system does not permit changing " + file + other + " (Operation not permitted): it may be"
                    + " immutable (see lsattr) or on a file system that forbids it";
        }
        if (reason.contains("Read-only file system")) {
            return file + " is on a read-only file system" + other;
        }
        if (reason.contains("No space left")) {
            return "the file system of " + file + " is full (No space left on device)";
        }
        if (reason.contains("File too large")) {
            return file + " would be larger than the file-size limit of this process (ulimit -f) or its file system"
                    + " allows (File too large)";
        }
        return "cannot use " + file + other + (reason.isEmpty() ? "" : ": " + reason);
    }
}
