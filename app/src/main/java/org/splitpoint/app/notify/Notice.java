package org.splitpoint.app.notify;

import java.util.List;

/** One notification as shown: a title, up to a few lines, and whether it is bad news (red, stays longer). */
public record Notice(String title, String text, boolean critical) {

    /** What happened, before a burst is merged: one line, and whether it is bad news. */
    public record Item(String kind, String line, boolean critical) { }

    /** The items of one burst as one notice: a single item as it is, several counted, the first few listed. */
    static Notice of(List<Item> burst) {
        if (burst.size() == 1) {
            Item i = burst.get(0);
            return new Notice(i.kind(), i.line(), i.critical());
        }
        boolean critical = burst.stream().anyMatch(Item::critical);
        boolean sameKind = burst.stream().map(Item::kind).distinct().count() == 1;
        String title = burst.size() + " " + (sameKind ? plural(burst.get(0).kind()) : "things happened");
        StringBuilder text = new StringBuilder();
        int shown = Math.min(3, burst.size());
        for (int k = 0; k < shown; k++) {
            text.append(k == 0 ? "" : "\n").append(burst.get(k).line());
        }
        if (burst.size() > shown) {
            text.append("\n… and ").append(burst.size() - shown).append(" more (see Jobs › History and the event log)");
        }
        return new Notice(title, text.toString(), critical);
    }

    private static String plural(String kind) {
        return switch (kind) {
            case "Job ended" -> "jobs ended";
            case "Job failed" -> "jobs failed";
            case "Critical event" -> "critical events";
            default -> kind.toLowerCase(java.util.Locale.ROOT);
        };
    }
}
