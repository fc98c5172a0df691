package org.splitpoint.app.drives;

import java.util.List;
import org.splitpoint.app.common.Confirmation;

/**
 * What replacing a drive does, for the confirmation dialog: which image is set aside, what blank
 * image takes its place, and which drives the rebuild reads from. {@code volume} is null for a drive
 * in no volume (it just becomes a blank SPARE).
 */
public record ReplacePlan(String drive, String state, String size, String volume, String layout,
                          String volumeState, List<String> sources, String image, String keptAs) {

    /** The typed confirmation: the drive's name is the target. */
    public Confirmation confirmation() {
        return new Confirmation("Replace drive " + drive, "Replace drive " + drive + " with a blank drive?",
                sentences(), drive, "Replace " + drive);
    }

    public List<String> sentences() {
        String intro = "Drive " + drive + " (" + size + ") is " + state
                + (volume == null ? " and in no volume." : " in volume " + volume + " (" + layout + ", " + volumeState + ").");
        String overwrite = "Its image " + image + " is set aside as " + keptAs + ", and a blank " + size
                + " image takes its place.";
        if (volume == null) {
            return List.of(intro, overwrite, "The new " + drive + " becomes a SPARE drive.");
        }
        return List.of(intro, overwrite + " A rebuild then writes all of it from "
                        + String.join(", ", sources) + ".",
                risk());
    }

    /**
     * What would make the data unavailable during the rebuild: the one other drive failing, any
     * other drive of a raid3/5, or every other mirror of a raid1 (one of them keeps the data).
     */
    private String risk() {
        String serving = "Volume " + volume + " keeps serving while it rebuilds";
        String others = String.join(", ", sources);
        if (sources.size() > 1 && "raid1".equals(layout)) {
            return serving + "; its data stays available as long as one of " + others + " works.";
        }
        return serving + ", but until the rebuild ends " + (sources.size() == 1 ? "a failure of " : "another failure among ")
                + others + " would make its data unavailable.";
    }
}
