package org.splitpoint.engine.snapshot;

/**
 * Track {@code track} of volume {@code volume}, as it was before a write, is in save-area slot
 * {@code slot}, for the snapshots of the volume whose generations are in [{@code from}, {@code to}]:
 * one copy shared by every snapshot taken between the track's last two writes.
 */
public record SaveRecord(String volume, long track, long slot, long from, long to) {

    /** True when the saved track is snapshot {@code gen}'s image of the track. */
    public boolean covers(long gen) {
        return from <= gen && gen <= to;
    }
}
