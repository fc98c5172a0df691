package org.splitpoint.app.serve;

/** One connected NBD client as the serve panel lists it: rates over the last sample interval. */
public record ClientRow(long id, String remote, String export, boolean readOnly, double readBytesPerSecond,
                        double writeBytesPerSecond, long requests, String since) { }
