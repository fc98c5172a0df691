package org.splitpoint.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.PoolPaths;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.UnrecordedVerifyException;
import org.splitpoint.engine.pool.VerifyEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code splitpoint volume create|delete|list|write|read|verify}. */
@Command(name = "volume", description = "Create, delete, list, read, write or verify volumes.",
        subcommands = {VolumeCommand.Create.class, VolumeCommand.Delete.class, VolumeCommand.ListVolumes.class, VolumeCommand.Write.class,
                VolumeCommand.Read.class, VolumeCommand.Verify.class, JournalCommand.class, JournalCommand.Rebuild.class})
final class VolumeCommand {

    private static final int CHUNK = 1 << 20;

    private VolumeCommand() {
    }

    @Command(name = "create", description = "Create a RAID volume over SPARE drives.")
    static final class Create extends OnPool {
        @Parameters(index = "1", paramLabel = "NAME",
                description = "the new volume's name: a letter, then letters, digits, '_', '.' or '-'")
        String name;
        @Option(names = "--layout", required = true, paramLabel = "raid1|raid3|raid5",
                description = "raid1 (mirrors), raid3 (a parity drive) or raid5 (parity rotating over the drives)")
        String layout;
        @Option(names = "--drives", required = true, paramLabel = "DRIVE",
                description = "the SPARE drives to build it on, comma-separated")
        java.util.List<String> drives;
        @Option(names = "--size", paramLabel = "SIZE", description = "volume size (default: all the drives hold)")
        String size;

        @Override
        public Integer call() throws Exception {
            Layout l = Layout.parse(layout);
            java.util.List<String> names = NameList.parse("--drives", drives);
            long bytes = size == null ? 0 : Sizes.parse(size);
            if (size != null && bytes == 0) {
                throw new IllegalArgumentException("--size must be larger than 0");
            }
            return PoolSession.with(dir, err(), pool -> {
                pool.admin().createVolume(name, l, names, bytes);
                var v = pool.snapshot().volume(name);
                out().println("created volume " + name + ": " + l.word() + " over " + Tables.drivesOf(v)
                        + ", " + Sizes.format(v.size()) + ", " + v.state());
                return 0;
            });
        }
    }

    @Command(name = "delete", description = {"Delete a volume: its data is lost and its drives go back to the bay as SPARE"
            + " (failed members stay FAILED).", "Refused while the volume is in a pair, served over NBD, journaled, has"
            + " snapshots, or a job works on it. Asks for the volume's name on a terminal; needs --yes otherwise."})
    static final class Delete extends OnPool {
        @Parameters(index = "1", paramLabel = "NAME",
                description = "the volume to delete")
        String name;
        @Option(names = "--yes", description = "confirm without being asked (needed when stdin is not a terminal)")
        boolean yes;
        @Option(names = "--check", description = "change nothing: say whether the volume may be deleted now (exit 0) or"
                + " why not (exit 1)")
        boolean check;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                String why = pool.admin().whyNotDeleteVolume(name);
                if (why != null) {
                    throw new org.splitpoint.engine.pool.PoolException(why);
                }
                if (check) {
                    out().println("volume " + name + " may be deleted");
                    return 0;
                }
                var v = pool.snapshot().volume(name);
                if (!yes && !Confirm.typed(err(), "deleting volume " + name + " loses the " + Sizes.format(v.size())
                        + " it holds (" + v.layout().word() + " over " + String.join(",", v.drives()) + ")", name,
                        "nothing was deleted")) {
                    return 1;
                }
                pool.admin().deleteVolume(name);
                out().println("deleted volume " + name + "; drives " + String.join(",", v.drives()) + " are back in the bay");
                return 0;
            });
        }
    }

    @Command(name = "list", description = "List volumes with layout, state and size.")
    static final class ListVolumes extends OnPool {
        @Option(names = "--json", description = "print one JSON document")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = out();
            return PoolSession.look(dir, err(), pool -> {
                var s = pool.snapshot();
                if (json) {
                    var arr = Json.MAPPER.createArrayNode();
                    s.volumes().forEach(v -> arr.add(Json.volume(v)));
                    Json.print(out, arr);
                } else if (s.volumes().isEmpty()) {
                    out.println("no volumes");
                } else {
                    Tables.volumes(out, s);
                }
                return 0;
            });
        }
    }

    @Command(name = "write", description = "Write bytes from a file (or stdin) into a volume; flushed before exit.")
    static final class Write extends OnPool {
        @Parameters(index = "1", paramLabel = "NAME",
                description = "the volume to write")
        String name;
        @Option(names = "--offset", required = true, paramLabel = "OFF",
                description = "where in the volume to write, in bytes (K, M, G, T)")
        String offset;
        @Option(names = "--in", paramLabel = "FILE", description = "input file (default: stdin)")
        Path in;

        @Override
        public Integer call() throws Exception {
            long off = Sizes.parse(offset);
            Path in = this.in == null ? null : CliContext.current().resolve(this.in);
            if (in != null && !Files.exists(in)) {
                throw new IllegalArgumentException("input file " + in + " does not exist");
            }
            if (in != null && !Files.isRegularFile(in)) {
                throw new IllegalArgumentException("input file " + in + " is not a regular file (a device, a pipe or a"
                        + " directory): give its bytes on standard input instead");
            }
            return PoolSession.with(dir, err(), pool -> {
                BlockDevice v = pool.device(name);
                if (off < 0 || off > v.size()) { // the input's length is not known yet: the offset alone, not "range OFF+0"
                    throw new IllegalArgumentException("volume " + name + ": offset " + off + " is outside the device (size "
                            + v.size() + " bytes)");
                }
                long room = v.size() - off;
                InvalidatedSnapshots snapshots = InvalidatedSnapshots.before(pool);
                long total;
                if (in != null) {
                    long length = Files.size(in);
                    BlockDevice.checkRange("volume " + name, v.size(), off, length);
                    total = copyFile(name, in, length, v, off);
                } else {
                    // the whole input first: a refusal must find nothing written
                    try (InputBuffer input = InputBuffer.read(CliContext.current().stdin(), room)) {
                        if (input.longerThan(room)) {
                            throw new IllegalArgumentException("the input is longer than the " + room + " bytes that fit"
                                    + " in volume " + name + " (" + v.size() + " bytes) at offset " + off
                                    + "; nothing was written");
                        }
                        long[] done = {0};
                        try {
                            input.writeTo(v, off, n -> done[0] += n);
                        } catch (java.io.IOException e) {
                            throw partly(name, off, done[0], input.length(), e);
                        }
                        total = input.length();
                    }
                }
                v.flush();
                err().println("wrote " + total + " bytes to " + name + " at offset " + off);
                snapshots.sayAfter(pool, err());
                return 0;
            });
        }

        /** Copies the {@code length} bytes of {@code in} (checked to fit) to {@code v} at {@code off}. */
        private static long copyFile(String name, Path in, long length, BlockDevice v, long off) throws java.io.IOException {
            long total = 0;
            try (InputStream is = Files.newInputStream(in)) {
                byte[] buf = new byte[CHUNK];
                int n;
                while (total < length && (n = is.readNBytes(buf, 0, (int) Math.min(CHUNK, length - total))) > 0) {
                    try {
                        v.write(off + total, ByteBuffer.wrap(buf, 0, n));
                    } catch (java.io.IOException e) {
                        throw partly(name, off, total, length, e);
                    }
                    total += n;
                }
            }
            return total;
        }

        /**
         * A write that failed after {@code done} of its {@code length} bytes landed: the volume's
         * "the write was not done" is about the last piece only, so say what the command did write.
         */
        static java.io.IOException partly(String name, long off, long done, long length, java.io.IOException e) {
            if (done == 0) {
                return e;
            }
            String cause = String.valueOf(e.getMessage());
            String piece = "volume " + name + ": the write was not done: ";
            if (cause.startsWith(piece)) {
                cause = cause.substring(piece.length());
            }
            String m = "volume " + name + ": only the first " + done + " of the " + length + " bytes were written (at offset "
                    + off + "); the rest was not: " + cause;
            java.io.IOException out = e instanceof org.splitpoint.engine.io.NoSpaceException
                    ? new org.splitpoint.engine.io.NoSpaceException(m) : new java.io.IOException(m);
            out.initCause(e);
            return out;
        }
    }

    @Command(name = "read", description = "Read bytes of a volume to a file (or stdout).")
    static final class Read extends OnPool {
        @Parameters(index = "1", paramLabel = "NAME",
                description = "the volume to read")
        String name;
        @Option(names = "--offset", required = true, paramLabel = "OFF",
                description = "where in the volume to read from, in bytes (K, M, G, T)")
        String offset;
        @Option(names = "--length", required = true, paramLabel = "LEN",
                description = "how many bytes to read (K, M, G, T)")
        String length;
        @Option(names = "--out", paramLabel = "FILE", description = "output file (default: stdout)")
        Path outFile;

        /** True when the bytes go to standard output (no --out). */
        boolean toStdout() {
            return outFile == null;
        }

        @Override
        public Integer call() throws Exception {
            long off = Sizes.parse(offset);
            long len = Sizes.parse(length);
            Path outFile = this.outFile == null ? null : CliContext.current().resolve(this.outFile);
            Path poolDir = CliContext.current().resolve(dir);
            if (outFile != null && new PoolPaths(poolDir).holds(outFile)) {
                // opening it would truncate what is there: pool.json, a drive image of the open pool
                throw new IllegalArgumentException("--out " + outFile + " is inside the pool " + poolDir
                        + "; write what is read to a file outside the pool");
            }
            if (outFile != null && Files.isDirectory(outFile)) {
                // a usage error, as --in of a directory is: the open below would fail with EISDIR (exit 1)
                throw new IllegalArgumentException("--out " + outFile + " is a directory; give the path of a file to"
                        + " write what is read to, e.g. " + outFile.resolve(name + ".bin"));
            }
            if (!java.nio.file.Files.isWritable(poolDir) && CliContext.current().resident() == null) {
                // a read-only mount: pool.lock cannot be taken, so a writable open is refused; a read needs none
                return PoolSession.look(dir, err(), pool -> {
                    if (pool.recoveryPending()) {
                        throw new Splitpoint.CommandFailed("the pool's directory " + poolDir + " cannot be written, so"
                                + " it is opened read-only, and it needs a recovery from an unclean shutdown first that a"
                                + " read-only open cannot do (reads could return a torn stripe's bytes): open it once"
                                + " where it can be written");
                    }
                    err().println("splitpoint: note: the pool's directory cannot be written (a read-only mount?): it is"
                            + " read read-only, as last saved; a process that holds it and writes may have written"
                            + " since, which this read does not see");
                    return readInto(pool, off, len, outFile);
                });
            }
            return PoolSession.with(dir, err(), pool -> readInto(pool, off, len, outFile));
        }

        /** Reads the range into {@code outFile} (standard output when null); exit code. */
        private int readInto(org.splitpoint.engine.pool.Pool pool, long off, long len, Path outFile) throws Exception {
            BlockDevice v = pool.device(name);
            BlockDevice.checkRange("volume " + name, v.size(), off, len);
            // a regular file (new, or one the open truncated) is removed when the read stops part-way: it would
            // otherwise hold the first part of the range under the name asked for; a device, a pipe or a symbolic
            // link is not ours to remove (/dev/full stays /dev/full), nor a file the open refused
            boolean removable = outFile != null && (!Files.exists(outFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    || Files.isRegularFile(outFile, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            OutputStream os = outFile == null ? new NonClosing(CliContext.current().stdout()) : Files.newOutputStream(outFile);
            try {
                copy(v, off, len, os, outFile);
            } catch (Exception | Error e) {
                String fate = removable ? removePartial(outFile) : null;
                Failures.Failure f = Failures.of(e);
                if (fate != null && e instanceof Exception && f.code() == 1) {
                    // no cause: Failures would take the I/O failure under it for the sentence, without the file's fate
                    throw new Splitpoint.CommandFailed(f.sentence() + "; " + fate);
                }
                throw e; // an Error, or a usage failure, goes on as it was (the file is removed all the same)
            }
            return 0;
        }

        /** Copies {@code len} bytes of {@code v} from {@code off} to {@code os}, which it closes ({@code outFile}: its name). */
        private static void copy(BlockDevice v, long off, long len, OutputStream os, Path outFile) throws java.io.IOException {
            try (os) {
                byte[] buf = new byte[CHUNK];
                for (long done = 0; done < len; ) {
                    int n = (int) Math.min(CHUNK, len - done);
                    v.read(off + done, ByteBuffer.wrap(buf, 0, n));
                    try {
                        os.write(buf, 0, n);
                    } catch (java.io.IOException e) {
                        throw outputFailed(outFile, e);
                    }
                    done += n;
                }
                try {
                    os.flush();
                } catch (java.io.IOException e) {
                    throw outputFailed(outFile, e);
                }
            }
        }

        /** Removes the partial {@code outFile} of a failed read; returns what became of it (null: nothing was there). */
        private static String removePartial(Path outFile) {
            try {
                return Files.deleteIfExists(outFile) ? outFile + " was removed (it held only the part read before)" : null;
            } catch (java.io.IOException | RuntimeException d) {
                return outFile + " holds only the part read before, and could not be removed: " + d.getMessage();
            }
        }

        /** Why standard output failed when the stream does not say (System.out, a PrintStream, never does). */
        static final String NOT_TAKEN = "it took no more bytes (a full disk, or a pipe closed by its reader);"
                + " the output is incomplete";

        /** A failed write of the output, naming it (the JDK's message is the bare cause, "No space left on device"). */
        private static java.io.IOException outputFailed(Path outFile, java.io.IOException e) {
            if (e instanceof java.nio.file.FileSystemException) {
                return e;
            }
            java.io.IOException named = outFile == null
                    ? new java.io.IOException("cannot write to standard output: " + e.getMessage())
                    : new java.nio.file.FileSystemException(outFile.toString(), null, e.getMessage());
            named.initCause(e);
            return named;
        }
    }

    @Command(name = "verify", description = "Check mirrors or parity; print the mismatch count (512-byte sectors);"
            + " exit 1 when copies disagree and --repair was not given.")
    static final class Verify extends OnPool {
        @Parameters(index = "1", paramLabel = "NAME",
                description = "the volume to check")
        String name;
        @Option(names = "--repair", description = "rewrite parity / mirror copies that disagree")
        boolean repair;

        @Override
        public Integer call() throws Exception {
            var err = err();
            return PoolSession.with(dir, err, pool -> {
                var v = pool.volume(name);
                long rows = v.memberRows();
                ProgressLine line = new ProgressLine(err);
                long start = System.nanoTime();
                long mismatches;
                String unrecorded = null;
                try {
                    mismatches = pool.admin().verify(name, repair, done -> {
                        double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
                        double rate = done / secs;
                        long eta = rate > 0 ? (long) ((rows - done) / rate) : -1;
                        line.show(String.format("verify %s  %5.1f%%  %.1f MB/s  ETA %d:%02d", name, 100.0 * done / rows,
                                rate * v.members().size() / 1e6, eta / 60, eta % 60));
                    });
                } catch (UnrecordedVerifyException e) {
                    // the check went to the end: print its result, then fail for the record it could not keep
                    mismatches = e.mismatches();
                    unrecorded = e.getMessage();
                }
                double secs = (System.nanoTime() - start) / 1e9;
                // the last progress line would otherwise stay the last word (printed every 5 s
                // when stderr is not a terminal: "verify v 0.3%" for a check that went to the end)
                line.done(String.format("verify %s: DONE in %.1f s (%.1f MB/s)", name, secs,
                        rows * v.members().size() / Math.max(1e-9, secs) / 1e6));
                out().println(mismatches);
                String found = new VerifyEvent(name, mismatches, false).unrepairedSentence();
                if (unrecorded != null) {
                    if (mismatches > 0) {
                        err.println(repair ? "repaired " + mismatches + " mismatched sectors in " + name : found);
                    }
                    throw new Splitpoint.CommandFailed(unrecorded);
                }
                if (mismatches > 0 && !repair) {
                    // the SPEC's exit 1: a script must tell a volume whose copies disagree from a clean one
                    // (the count stays on stdout); a repair that rewrote them succeeded
                    throw new Splitpoint.CommandFailed(found);
                }
                if (mismatches > 0) {
                    err.println("repaired " + mismatches + " mismatched sectors in " + name);
                }
                return 0;
            });
        }
    }

    /**
     * System.out must stay open after a read. It is a PrintStream, which keeps a write's failure to
     * itself (a full disk, a pipe its reader closed): asked after each write, so the read stops and fails.
     */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
            refused();
        }

        @Override
        public void flush() throws java.io.IOException {
            out.flush();
            refused();
        }

        private void refused() throws java.io.IOException {
            if (out instanceof java.io.PrintStream ps && ps.checkError()) {
                throw new java.io.IOException(Read.NOT_TAKEN);
            }
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }
}
