package org.splitpoint.app.common;

import java.util.List;

/**
 * What a destructive action will overwrite, for a typed confirmation: the sentences say source →
 * target, tracks and bytes; {@code target} is the name the administrator must type to go ahead.
 * Built by view models (they know the numbers), shown by {@link TypedConfirmDialog}.
 */
public record Confirmation(String title, String header, List<String> sentences, String target, String action) {

    public Confirmation {
        sentences = List.copyOf(sentences);
    }

    /** True when {@code typed} is the target's name (surrounding blanks ignored). */
    public boolean accepts(String typed) {
        return typed != null && typed.trim().equals(target);
    }
}
