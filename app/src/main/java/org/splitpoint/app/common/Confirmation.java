package org.splitpoint.app.common;

import java.util.List;

/**
 * What a destructive action will overwrite, for a typed confirmation: the sentences say source →
 * target, tracks and bytes; {@code target} is the name the administrator must type to go ahead (null
 * for a {@link #oneClick} one). Built by view models (they know the numbers), shown by
 * {@link TypedConfirmDialog} or {@link ClickConfirmDialog}.
 */
public record Confirmation(String title, String header, List<String> sentences, String target, String action) {

    public Confirmation {
        sentences = List.copyOf(sentences);
    }

    /**
     * A confirmation given with one click, no name typed ({@link ClickConfirmDialog}), for an overwrite
     * that loses nothing but what the action is for (an establish ending a point-in-time image nobody
     * wrote to); Cancel stays the default.
     */
    public static Confirmation oneClick(String title, String header, List<String> sentences, String action) {
        return new Confirmation(title, header, sentences, null, action);
    }

    /** False for a {@link #oneClick} confirmation: no name to type. */
    public boolean asksName() {
        return target != null;
    }

    /** True when {@code typed} is the target's name (surrounding blanks ignored). */
    public boolean accepts(String typed) {
        return typed != null && target != null && typed.trim().equals(target);
    }
}
