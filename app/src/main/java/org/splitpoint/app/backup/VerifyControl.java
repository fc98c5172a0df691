package org.splitpoint.app.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.backup.ChainVerify;
import org.splitpoint.engine.backup.VerifyPace;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.StorageFactory;

/**
 * Verifying images off the UI thread, one image or a list, one verify at a time: each image is
 * re-read and every SHA-256 checked, with the chain it needs to be restored ({@link ChainVerify}, as
 * {@code backup verify} does). Progress and results reach the
 * UI thread coalesced in one stream (results kept, the latest progress wins), so a late progress
 * tick never overwrites a result. States are kept per store and image for the session.
 */
final class VerifyControl {

    /** What the worker reports: finished images, and where the current one is. */
    private record Update(List<Result> results, Progress progress) { }

    private record Result(String key, VerifyState state) { }

    private record Progress(String key, double fraction, String pace, String line) { }

    private final PoolBridge bridge;
    private final Runnable changed;
    private final java.util.function.LongSupplier nanos;
    private final Map<String, VerifyState> states = new HashMap<>();
    private final Coalescer<Update> updates;
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper line = new ReadOnlyStringWrapper("");

    /** {@code changed} runs on the UI thread whenever a state changed. */
    VerifyControl(PoolBridge bridge, Runnable changed) {
        this(bridge, changed, System::nanoTime);
    }

    /** As above, with the clock the rates and ETAs are measured by ({@link VerifyPace}). */
    VerifyControl(PoolBridge bridge, Runnable changed, java.util.function.LongSupplier nanos) {
        this.nanos = nanos;
        this.bridge = bridge;
        this.changed = changed;
        this.updates = new Coalescer<>(bridge.ui(), (a, b) -> {
            List<Result> all = new ArrayList<>(a.results());
            all.addAll(b.results());
            return new Update(all, b.progress() != null ? b.progress() : a.progress());
        }, this::deliver);
    }

    ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** "Verifying 2 of 5: prod-… 42.1% · 35.0 MB/s · ETA 0:12", then "3 images verified: 2 ok, 1 DAMAGED". */
    ReadOnlyStringProperty lineProperty() {
        return line.getReadOnlyProperty();
    }

    static String key(Path store, String id) {
        return store + "|" + id;
    }

    VerifyState stateOf(Path store, String id) {
        return states.getOrDefault(key(store, id), VerifyState.NOT_VERIFIED);
    }

    /** Forgets what is known of a deleted image. */
    void forget(Path store, String id) {
        states.remove(key(store, id));
    }

    /** Verifies {@code images} of {@code store} in order, in the background. */
    void verify(Path store, List<ImageInfo> images) {
        if (running.get() || images.isEmpty()) {
            return;
        }
        running.set(true);
        for (ImageInfo i : images) {
            states.put(key(store, i.id()), VerifyState.verifying(0));
        }
        line.set("Verifying " + (images.size() == 1 ? images.get(0).id() : images.size() + " images") + "…");
        changed.run();
        bridge.run(org.splitpoint.app.bridge.HolderAction.notOnThePool(() -> check(store, images)), this::finished, why -> {
            running.set(false);
            for (ImageInfo i : images) {
                if (stateOf(store, i.id()).kind() == VerifyState.Kind.VERIFYING) {
                    states.put(key(store, i.id()), VerifyState.unreadable(why));
                }
            }
            line.set("Verify failed: " + why);
            changed.run();
        });
    }

    /**
     * On the worker: every image in turn, with the chain it needs ({@link ChainVerify}: an image
     * shared by several chains is read once); returns the counts: images, damaged, chains broken, unreadable.
     */
    private int[] check(Path store, List<ImageInfo> images) throws IOException {
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        ChainVerify chains = new ChainVerify(s);
        int bad = 0;
        int broken = 0;
        int unreadable = 0;
        for (int n = 0; n < images.size(); n++) {
            ImageInfo i = images.get(n);
            String key = key(store, i.id());
            String head = images.size() == 1 ? "Verifying " + i.id() + ": " : "Verifying " + (n + 1) + " of " + images.size()
                    + ": " + i.id() + " ";
            // the CLI's figures: a clock per image of the chain from its first report (the rate counted from this
            // image's start over the bytes of whichever chain image was being read), and an ETA, which was missing
            VerifyPace pace = new VerifyPace(nanos);
            VerifyState result;
            try {
                ChainVerify.Verdict v = chains.verify(i.id(), (image, done, total) -> {
                    VerifyPace.Reading r = pace.at(image, done, total);
                    String part = image.equals(i.id()) ? "" : "(its chain: " + image + ") ";
                    String figures = pace(r);
                    updates.offer(new Update(List.of(), new Progress(key, r.fraction(), figures,
                            head + part + Format.percent(r.fraction()) + (figures.isEmpty() ? "" : " · " + figures))));
                });
                if (v.ok()) {
                    result = VerifyState.ok();
                } else if (v.chainBroken()) {
                    result = VerifyState.chainBroken(v.sentence());
                    broken++;
                } else {
                    result = VerifyState.damaged(v.damage());
                    bad++;
                }
            } catch (IOException e) {
                result = VerifyState.unreadable("I/O error: " + e.getMessage());
                unreadable++;
            }
            updates.offer(new Update(List.of(new Result(key, result)), null));
        }
        return new int[] {images.size(), bad, broken, unreadable};
    }

    /** "35.0 MB/s · ETA 0:12", or "" until a second report of the image measured something. */
    static String pace(VerifyPace.Reading r) {
        // no-break spaces inside each figure: the line under the table wraps in a narrow window, and it
        // broke between 'ETA' and its time (the figures change at every update, so the break jumped too)
        return r.measured() ? Format.rate(r.bytesPerSecond()).replace(' ', NBSP) + " · ETA" + NBSP
                + Format.eta(r.etaSeconds()) : "";
    }

    /** A space a wrapped line does not break at. */
    static final char NBSP = '\u00A0';

    private void deliver(Update u) {
        List<String> done = new ArrayList<>();
        for (Result r : u.results()) {
            states.put(r.key(), r.state());
            done.add(r.key());
        }
        Progress p = u.progress();
        if (p != null && !done.contains(p.key()) && running.get()
                && states.getOrDefault(p.key(), VerifyState.NOT_VERIFIED).kind() == VerifyState.Kind.VERIFYING) {
            states.put(p.key(), VerifyState.verifying(p.fraction(), p.pace()));
            line.set(p.line());
        }
        changed.run();
    }

    private void finished(int[] counts) {
        running.set(false);
        int n = counts[0];
        int bad = counts[1];
        int broken = counts[2];
        int unreadable = counts[3];
        String what = n == 1 ? "1 image verified" : n + " images verified";
        line.set(bad == 0 && broken == 0 && unreadable == 0 ? what + ": every SHA-256 matched"
                : what + ": " + (n - bad - broken - unreadable) + " ok, " + bad + " DAMAGED"
                + (broken > 0 ? ", " + broken + " with a broken chain (cannot be restored)" : "")
                + (unreadable > 0 ? ", " + unreadable + " could not be read" : ""));
        changed.run();
    }
}
