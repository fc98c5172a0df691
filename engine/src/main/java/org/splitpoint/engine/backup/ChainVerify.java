package org.splitpoint.engine.backup;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies an image as a restore needs it: its own bytes, then every image of its chain down to the
 * full image ({@link ChainReader}). An incremental whose own SHA-256s all match is still not
 * restorable when a parent is damaged or gone, and a verify that said "ok" then gave a silent wrong
 * answer; so its verdict says where its chain is broken.
 *
 * <p>Design. Each image is re-read at most once per instance (verifying every image of a store
 * reads a shared full image once, not once per incremental), its outcome kept by id. The chain's
 * shape (parents present, one volume, size and track size) is what {@link ChainReader#open} checks,
 * so the two cannot disagree. An I/O error that is not damage (the store cannot be read) is thrown,
 * not taken for a verdict.
 */
public final class ChainVerify {

    /** Progress of the image being re-read: its id, bytes read, bytes its verify reads in all ({@link ImageReader#verifyBytes}). */
    public interface Progress {
        void at(String id, long done, long total);
    }

    /**
     * What a verify found: {@code info} the image's manifest (null when it could not be read);
     * {@code damage} the image's own (null when its SHA-256s matched); {@code brokenAt} and
     * {@code chainDamage} why its chain cannot restore it (null when it can).
     */
    public record Verdict(String id, ImageInfo info, String damage, String brokenAt, String chainDamage) {

        /** Restorable: its own bytes and its chain's all check. */
        public boolean ok() {
            return damage == null && chainDamage == null;
        }

        /** Its own bytes check, but an image it needs does not. */
        public boolean chainBroken() {
            return damage == null && chainDamage != null;
        }

        /** "ok", "ok, but its chain is broken at P: why", or "DAMAGED: why". */
        public String sentence() {
            if (damage != null) {
                return "DAMAGED: " + damage;
            }
            if (chainDamage != null) {
                return "ok, but its chain is broken" + (brokenAt != null ? " at " + brokenAt : "") + ": " + chainDamage
                        + "; it cannot be restored";
            }
            return "ok";
        }
    }

    private final BackupStore store;
    /** Each image's own outcome, by id: null for one whose SHA-256s matched. */
    private final Map<String, String> own = new HashMap<>();
    private final Map<String, ImageInfo> infos = new HashMap<>();

    public ChainVerify(BackupStore store) {
        this.store = store;
    }

    /** Verifies image {@code id} and then its chain (images already verified by this instance are not read again). */
    public Verdict verify(String id, Progress progress) throws IOException {
        String damage = verifyOwn(id, progress);
        if (damage != null) {
            return new Verdict(id, infos.get(id), damage, null, null);
        }
        List<ImageInfo> chain;
        try (ChainReader c = ChainReader.open(store, id)) {
            chain = c.images();
        } catch (BackupException e) {
            return new Verdict(id, infos.get(id), null, null, e.getMessage());
        }
        for (ImageInfo parent : chain.subList(1, chain.size())) {
            String why = verifyOwn(parent.id(), progress);
            if (why != null) {
                return new Verdict(id, infos.get(id), null, parent.id(), why);
            }
        }
        return new Verdict(id, infos.get(id), null, null, null);
    }

    /** Image {@code id}'s own damage, or null (re-read only the first time). */
    private String verifyOwn(String id, Progress progress) throws IOException {
        if (own.containsKey(id)) {
            return own.get(id);
        }
        String damage = null;
        try (ImageReader r = store.open(id)) {
            infos.put(id, r.info());
            long total = Math.max(1, r.verifyBytes()); // its one pass over the data file, which checks both sums
            r.verify(done -> {
                if (progress != null) {
                    progress.at(id, done, total);
                }
            });
        } catch (BackupException e) {
            damage = e.getMessage();
        }
        own.put(id, damage);
        return damage;
    }
}
