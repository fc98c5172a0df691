package org.splitpoint.engine.nbd;

import java.time.Instant;

/** One connected client as the app shows it: who, which export, how much I/O. */
public record ClientStats(long id, String remote, String export, boolean readOnly, Instant since,
                          long bytesRead, long bytesWritten, long requests) { }
