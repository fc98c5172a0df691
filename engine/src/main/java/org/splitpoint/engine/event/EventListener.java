package org.splitpoint.engine.event;

/** Receives events on the engine's dispatcher thread, never on an I/O thread. */
@FunctionalInterface
public interface EventListener {
    void onEvent(Event event);
}
