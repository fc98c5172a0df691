package org.splitpoint.app.common;

/** A detail view that works only while it is on screen (samples a map, reads stores): told when shown and hidden. */
public interface Shown {
    void shown(boolean on);
}
