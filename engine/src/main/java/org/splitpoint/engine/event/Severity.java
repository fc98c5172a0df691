package org.splitpoint.engine.event;

/** How much an event matters to an administrator. */
public enum Severity {
    INFO, WARNING, CRITICAL
}
