package org.splitpoint.app.drill;

import java.util.List;
import org.splitpoint.app.pair.TrackCells;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.ServiceAdmin;

/**
 * Takes {@link DrillSample}s of one volume's service window on a background thread
 * ({@code pool.service().trackMap}, or while attached the window lines of the holder's drill): the owed tracks now, or-ed into "owed at all in this window"
 * so the resync shows as the delta draining; when the window ends, one last picture with nothing
 * owed. A new window (or another volume) starts afresh. Returns null when nothing changed since
 * the last sample, so the map redraws only on news. Sampling is synchronized: the timer samples, and
 * a drill's thread samples once more at the moment its delta is final (a track written and written
 * back between two ticks would otherwise never show); the setters are for the UI thread.
 */
final class DrillSampler {

    private volatile String volume;
    private volatile String drive;
    private volatile List<Long> lost = List.of();
    private String lastVolume;
    private String lastPhase;
    private long[] ever;
    private long everTracks = -1;
    private boolean everVolumeTracks;
    private String lastKey;
    private String windowDrive; // the drive of the window last seen live: its last picture keeps its name

    /** The volume whose window to sample (null: none). */
    void volume(String v) {
        volume = v;
    }

    /** The drive of the window, for the map's words. */
    void drive(String d) {
        drive = d;
    }

    /** The volume's tracks lost by a second failure (member-row tracks), from the latest snapshot. */
    void lost(List<Long> tracks) {
        lost = tracks == null ? List.of() : List.copyOf(tracks);
    }

    synchronized DrillSample sample(Pool pool) {
        String v = volume;
        return v == null ? null : sample(v, pool.service().trackMap(v), pool.trackSize());
    }

    /**
     * The picture of {@code v}'s window {@code m} (null: none open) as the holder's drill sent it while
     * the app is attached ({@link org.splitpoint.engine.pool.DrillLines}); null when it is of another
     * volume than the one followed, or nothing changed.
     */
    synchronized DrillSample sample(String v, ServiceAdmin.TrackMap m, int trackSize) {
        if (v == null || !v.equals(volume)) {
            return null;
        }
        if (!v.equals(lastVolume)) {
            lastVolume = v;
            lastPhase = null;
            ever = null;
            lastKey = null;
            windowDrive = null;
        }
        long[] owedWords;
        String phase;
        if (m == null) {
            if (ever == null) {
                return changed(v + "|none") ? empty(v) : null;
            }
            owedWords = new long[0];
            phase = "done";
        } else {
            owedWords = m.owed().toWords();
            phase = m.phase();
            windowDrive = drive;
            long tracks = m.owed().size();
            if (ever == null || "done".equals(lastPhase) || tracks != everTracks) {
                ever = new long[(int) ((tracks + 63) >>> 6)]; // a new window
                everTracks = tracks;
                everVolumeTracks = false; // every mode's map is of member-row tracks
            }
            for (int i = 0; i < ever.length && i < owedWords.length; i++) {
                ever[i] |= owedWords[i];
            }
        }
        lastPhase = phase;
        TrackCells cells = TrackCells.of(everTracks, owedWords, ever);
        List<Long> gone = everVolumeTracks ? List.of() : lost; // lost tracks are member-row tracks
        int[] lostPerFine = new int[gone.isEmpty() ? 0 : cells.count()];
        long lostCount = 0;
        for (long t : gone) {
            if (t >= 0 && t < everTracks) {
                lostPerFine[cells.fineOf(t)]++;
                lostCount++;
            }
        }
        String named = m == null && windowDrive != null ? windowDrive : drive;
        String key = v + "|" + phase + "|" + cells.stdTotal() + "|" + cells.bcvTotal() + "|" + lostCount + "|" + named;
        if (!changed(key)) {
            return null;
        }
        return new DrillSample(v, named, phase, cells, cells.stdTotal(), cells.bcvTotal(), everTracks, everVolumeTracks,
                trackSize, lostPerFine, lostCount, System.nanoTime());
    }

    private boolean changed(String key) {
        if (key.equals(lastKey)) {
            return false;
        }
        lastKey = key;
        return true;
    }

    /** The volume has no window and had none while sampled: an empty map. */
    private DrillSample empty(String v) {
        return new DrillSample(v, drive, null, null, 0, 0, 0, false, 0, new int[0], 0, System.nanoTime());
    }
}
