package org.splitpoint.engine.pool;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.splitpoint.engine.meta.CorruptMetadataException;
import org.splitpoint.engine.raid.RaidVolume;

/** Argument and configuration checks, each failing with one sentence. */
final class Validation {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");
    private static final Pattern NAME_CHARS = Pattern.compile("[A-Za-z0-9_.-]*");
    private static final int LONGEST_NAME = 63;
    /** The names {@code pool create} and {@code drive add} give: 'd' and the pool's next drive number. */
    private static final Pattern NUMBERED = Pattern.compile("d([0-9]{1,9})");

    private Validation() {
    }

    static void trackSize(long trackSize) {
        if (trackSize < 4096 || trackSize > (1L << 30) || Long.bitCount(trackSize) != 1) {
            throw new IllegalArgumentException("track size must be a power of two from 4K to 1G, not " + trackSize);
        }
    }

    static void driveSize(long size, long trackSize) {
        if (size < 1L << 20) {
            throw new IllegalArgumentException("drive size must be at least 1M, not " + Sizes.format(size));
        }
        if (size % 4096 != 0) {
            throw new IllegalArgumentException("drive size must be a multiple of 4K, not " + size + " bytes");
        }
        if (size > 1L << 46) {
            throw new IllegalArgumentException("drive size must be at most 64T");
        }
    }

    static void name(String what, String name) {
        if (name != null && name.length() > LONGEST_NAME && NAME.matcher(name.substring(0, LONGEST_NAME)).matches()
                && NAME_CHARS.matcher(name).matches()) {
            // only its length is wrong: say so, without echoing all of it (a 150-character name filled
            // three lines of the app's dialog and read as if its characters were at fault)
            throw new IllegalArgumentException("a " + what + " name has at most " + LONGEST_NAME + " characters; '"
                    + name.substring(0, 20) + "…' has " + name.length());
        }
        if (name != null && !NAME_CHARS.matcher(name).matches()) {
            // name the character: "café" refused "(a letter, then up to 62 letters, ...)" was a riddle
            // to one for whom every character of it is a letter
            throw new IllegalArgumentException("'" + name + "' is not a valid " + what + " name: it may hold only"
                    + " the letters a-z and A-Z, digits, '_', '.' and '-', not " + firstRefused(name));
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a valid " + what
                    + " name (a letter, then up to 62 letters, digits, '_', '.' or '-')");
        }
    }

    /** The first character of {@code name} no name takes, as it can be read: 'é', "a space", U+0007, 'с' (U+0441, a Cyrillic letter). */
    private static String firstRefused(String name) {
        int c = name.codePoints().filter(p -> !NAME_CHARS.matcher(Character.toString(p)).matches()).findFirst().orElseThrow();
        if (c == ' ') {
            return "a space";
        }
        if (Character.isISOControl(c) || Character.isWhitespace(c) || !Character.isDefined(c)) {
            return String.format("U+%04X", c);
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        if (Character.isLetter(c) && script != Character.UnicodeScript.LATIN) {
            // its script named: "сnap" with a Cyrillic 'с' was refused "..., not 'с'", which reads as a Latin c,
            // one of the letters the sentence says a name may hold
            String word = script.name().charAt(0) + script.name().substring(1).toLowerCase(java.util.Locale.ROOT);
            return String.format("'%s' (U+%04X, a %s letter)", Character.toString(c), c, word);
        }
        return "'" + Character.toString(c) + "'";
    }

    /**
     * Sanity of a pool.json that passed its CRC: names, references and ranges. A CRC only says the
     * file is as some writer left it; a hand-edited or foreign pool.json with a fresh CRC must not
     * open into two volumes writing one drive, a pair of a volume with itself, a volume larger than
     * its drives, or a name that, made into a file's path, leaves the pool directory.
     */
    static void config(PoolConfig c) throws CorruptMetadataException {
        try {
            trackSize(c.trackSize());
        } catch (IllegalArgumentException e) {
            throw new CorruptMetadataException("pool.json: " + e.getMessage());
        }
        try {
            // the size 'drive add' gives a drive without --size: refused there, it blamed the command
            driveSize(c.driveSize(), c.trackSize());
        } catch (IllegalArgumentException e) {
            throw new CorruptMetadataException("pool.json: its default " + e.getMessage() + " (driveSize)");
        }
        Map<String, PoolConfig.DriveRecord> drives = new HashMap<>();
        for (PoolConfig.DriveRecord d : c.drives()) {
            recordedName("drive", d.name());
            if (drives.putIfAbsent(d.name(), d) != null || d.size() <= 0 || d.state() == null) {
                throw new CorruptMetadataException("pool.json: drive entry " + d.name() + " is invalid");
            }
        }
        Map<String, String> memberOf = new HashMap<>();
        Set<String> volumes = new HashSet<>();
        for (PoolConfig.VolumeRecord v : c.volumes()) {
            recordedName("volume", v.name());
            if (!volumes.add(v.name())) {
                throw new CorruptMetadataException("pool.json: two volumes are named " + v.name());
            }
            if (v.layout() == null || v.drives().size() < v.layout().minDrives() || v.size() <= 0) {
                throw new CorruptMetadataException("pool.json: volume " + v.name() + " is invalid");
            }
            long memberSize = Long.MAX_VALUE;
            Set<String> own = new HashSet<>();
            for (String d : v.drives()) {
                if (!drives.containsKey(d)) {
                    throw new CorruptMetadataException("pool.json: volume " + v.name() + " names unknown drive " + d);
                }
                if (!own.add(d)) {
                    throw new CorruptMetadataException("pool.json: volume " + v.name() + " names drive " + d + " twice");
                }
                String other = memberOf.putIfAbsent(d, v.name());
                if (other != null) {
                    throw new CorruptMetadataException("pool.json: drive " + d + " is a member of both volume "
                            + other + " and volume " + v.name());
                }
                memberSize = Math.min(memberSize, drives.get(d).size());
            }
            volumeGeometry(v, memberSize);
        }
        membership(c, drives, memberOf);
        Set<String> pairs = new HashSet<>();
        Map<String, String> pairOf = new HashMap<>();
        for (PoolConfig.PairRecord p : c.pairs()) {
            recordedName("pair", p.name());
            if (!pairs.add(p.name())) {
                throw new CorruptMetadataException("pool.json: two pairs are named " + p.name());
            }
            for (String side : new String[] {p.std(), p.bcv()}) {
                if (side == null || !volumes.contains(side)) {
                    throw new CorruptMetadataException("pool.json: pair " + p.name() + " names unknown volume " + side);
                }
            }
            if (p.std().equals(p.bcv())) {
                throw new CorruptMetadataException("pool.json: pair " + p.name() + " has volume " + p.std()
                        + " as both its STD and its BCV");
            }
            for (String side : new String[] {p.std(), p.bcv()}) {
                // as 'pair create' refuses: two pairs over one volume copied onto each other's sides
                String other = pairOf.putIfAbsent(side, p.name());
                if (other != null) {
                    throw new CorruptMetadataException("pool.json: volume " + side + " is in both pair " + other
                            + " and pair " + p.name());
                }
            }
        }
        journals(c, drives, volumes);
        services(c, drives, memberOf);
        for (PoolConfig.JobRecord j : c.jobs()) {
            recordedJob(j, drives.keySet(), volumes);
        }
        for (PoolConfig.LostRecord l : c.lost()) {
            if (l.volume() == null || !volumes.contains(l.volume())) {
                throw new CorruptMetadataException("pool.json: lost tracks are on record for unknown volume " + l.volume());
            }
            for (long t : l.tracks()) {
                if (t < 0) { // (the open ended in an internal error)
                    throw new CorruptMetadataException("pool.json: volume " + l.volume() + "'s lost tracks include track " + t);
                }
            }
        }
        String saveArea = c.snapshots().saveArea();
        if (saveArea != null && !volumes.contains(saveArea)) {
            throw new CorruptMetadataException("pool.json: the snapshots' save area is unknown volume " + saveArea);
        }
        Set<String> snapshots = new HashSet<>();
        for (PoolConfig.SnapshotRecord s : c.snapshots().snapshots()) {
            if (s.volume() == null || !volumes.contains(s.volume())) {
                throw new CorruptMetadataException("pool.json: snapshot " + s.name() + " is of unknown volume " + s.volume());
            }
            if (!snapshots.add(s.volume() + "@" + s.name())) {
                throw new CorruptMetadataException("pool.json: volume " + s.volume() + " has two snapshots named "
                        + s.name());
            }
        }
    }

    /** Why the open would refuse {@code c} ({@link #config}'s sentence), or null when it accepts it. */
    static String refusal(PoolConfig c) {
        try {
            config(c);
            return null;
        } catch (CorruptMetadataException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /**
     * What each drive's entry says agrees with the volumes' lists, and the next drive's name is
     * no drive's yet. The open opens a member's image by its entry's volume, and the verbs that take
     * a SPARE ({@code volume create}, {@code journal enable}) and {@code drive add} write a blank
     * image under the drive's name: a member whose entry said SPARE opened as a SPARE member of a
     * DEGRADED volume, and a {@code volume create} over it blanked its image; a {@code nextDrive}
     * not past the drives' numbers made {@code drive add} replace a member's image with a blank one.
     */
    private static void membership(PoolConfig c, Map<String, PoolConfig.DriveRecord> drives,
                                   Map<String, String> memberOf) throws CorruptMetadataException {
        for (PoolConfig.VolumeRecord v : c.volumes()) {
            for (String name : v.drives()) {
                PoolConfig.DriveRecord d = drives.get(name);
                if (!v.name().equals(d.volume())) {
                    throw new CorruptMetadataException("pool.json: drive " + name + " is a member of volume " + v.name()
                            + ", but its entry says it is " + (d.volume() == null ? "in no volume" : "in volume " + d.volume()));
                }
                if (d.state() == DriveState.SPARE) {
                    throw new CorruptMetadataException("pool.json: drive " + name + " is a member of volume " + v.name()
                            + ", but its entry says it is SPARE");
                }
            }
        }
        for (PoolConfig.DriveRecord d : c.drives()) {
            if (d.volume() != null && !d.volume().equals(memberOf.get(d.name()))) {
                throw new CorruptMetadataException("pool.json: drive " + d.name() + "'s entry says it is in volume "
                        + d.volume() + ", which does not list it as a member");
            }
            java.util.regex.Matcher numbered = NUMBERED.matcher(d.name());
            if (numbered.matches() && Long.parseLong(numbered.group(1)) >= c.nextDrive()) {
                throw new CorruptMetadataException("pool.json: nextDrive is " + c.nextDrive() + ", not past drive "
                        + d.name() + ": a drive added would take an existing drive's name and blank its image");
            }
        }
        if (c.nextDrive() < 1) {
            throw new CorruptMetadataException("pool.json: nextDrive is " + c.nextDrive() + ", not a drive number");
        }
    }

    /**
     * A staged journal is one per known volume, on two distinct known drives that are in no volume
     * and whose entries say they hold its legs, and a drive saying it holds a leg is named by that
     * journal. Before, a journal naming one drive ended the open in an internal error, one naming a
     * drive twice kept both legs on one image, and one on a volume's member wrote its legs over it.
     */
    private static void journals(PoolConfig c, Map<String, PoolConfig.DriveRecord> drives, Set<String> volumes)
            throws CorruptMetadataException {
        Map<String, PoolConfig.JournalRecord> byVolume = new HashMap<>();
        for (PoolConfig.JournalRecord j : c.journals()) {
            if (j.volume() == null || !volumes.contains(j.volume())) {
                throw new CorruptMetadataException("pool.json: a journal names unknown volume " + j.volume());
            }
            if (byVolume.putIfAbsent(j.volume(), j) != null) {
                throw new CorruptMetadataException("pool.json: volume " + j.volume() + " has two journals");
            }
            for (String d : j.drives()) {
                if (!drives.containsKey(d)) {
                    throw new CorruptMetadataException("pool.json: the journal of volume " + j.volume()
                            + " names unknown drive " + d);
                }
            }
            if (j.drives().size() != 2) {
                throw new CorruptMetadataException("pool.json: the journal of volume " + j.volume() + " names "
                        + j.drives().size() + (j.drives().size() == 1 ? " drive" : " drives") + "; a journal has two");
            }
            if (j.drives().get(0).equals(j.drives().get(1))) {
                throw new CorruptMetadataException("pool.json: the journal of volume " + j.volume() + " names drive "
                        + j.drives().get(0) + " twice");
            }
            for (String name : j.drives()) {
                PoolConfig.DriveRecord d = drives.get(name);
                if (d.volume() != null) {
                    throw new CorruptMetadataException("pool.json: the journal of volume " + j.volume() + " has a leg on drive "
                            + name + ", a member of volume " + d.volume());
                }
                if (!j.volume().equals(d.journal())) {
                    throw new CorruptMetadataException("pool.json: the journal of volume " + j.volume() + " names drive "
                            + name + ", whose entry says it holds " + (d.journal() == null ? "no journal"
                            : "the journal of volume " + d.journal()));
                }
            }
        }
        for (PoolConfig.DriveRecord d : c.drives()) {
            PoolConfig.JournalRecord j = d.journal() == null ? null : byVolume.get(d.journal());
            if (d.journal() != null && (j == null || !j.drives().contains(d.name()))) {
                throw new CorruptMetadataException("pool.json: drive " + d.name() + "'s entry says it holds the journal of volume "
                        + d.journal() + ", which does not name it");
            }
        }
    }

    /**
     * A service window is one per volume, of a member of that volume, and its repository (a lent
     * SPARE) is in no volume and holds no journal leg. Before, a window whose repository named a
     * member of its own volume was opened and logged the volume's writes over that member's image.
     */
    private static void services(PoolConfig c, Map<String, PoolConfig.DriveRecord> drives, Map<String, String> memberOf)
            throws CorruptMetadataException {
        Set<String> windows = new HashSet<>();
        for (PoolConfig.ServiceRecord s : c.services()) {
            if (s.volume() == null || s.drive() == null || !s.volume().equals(memberOf.get(s.drive()))) {
                throw new CorruptMetadataException("pool.json: the service window of volume " + s.volume()
                        + " names drive " + s.drive() + ", which is not a member of it");
            }
            if (!windows.add(s.volume())) {
                throw new CorruptMetadataException("pool.json: volume " + s.volume() + " has two service windows");
            }
            PoolConfig.DriveRecord lent = s.repository() == null ? null : drives.get(s.repository());
            if (lent != null && (lent.volume() != null || lent.journal() != null)) {
                throw new CorruptMetadataException("pool.json: the service window of volume " + s.volume()
                        + " keeps its repository on drive " + s.repository() + ", "
                        + (lent.volume() != null ? "a member of volume " + lent.volume()
                                : "a leg of the journal of volume " + lent.journal()));
            }
        }
    }

    /**
     * A job on record is one an opening resumes: a rebuild (the only kind kept in pool.json) of a
     * known drive in a known volume. Before, a record of another kind was kept and never run, saying
     * nothing, and one naming no drive was dropped by the open as finished.
     */
    private static void recordedJob(PoolConfig.JobRecord j, Set<String> drives, Set<String> volumes)
            throws CorruptMetadataException {
        if (!"rebuild".equals(j.kind())) {
            throw new CorruptMetadataException("pool.json: job " + j.id() + " is of kind '" + j.kind()
                    + "', which this Splitpoint does not run");
        }
        if (j.drive() == null || !drives.contains(j.drive())) {
            throw new CorruptMetadataException("pool.json: job " + j.id() + " names unknown drive " + j.drive());
        }
        if (j.volume() == null || !volumes.contains(j.volume())) {
            throw new CorruptMetadataException("pool.json: job " + j.id() + " names unknown volume " + j.volume());
        }
    }

    /** A volume's size fits its drives, in whole sectors, and a parity volume's strip unit can be divided by. */
    private static void volumeGeometry(PoolConfig.VolumeRecord v, long memberSize) throws CorruptMetadataException {
        if (v.layout() != Layout.RAID1) {
            int u = v.stripUnit();
            if (u < 512 || u > (1 << 30) || Integer.bitCount(u) != 1) {
                throw new CorruptMetadataException("pool.json: volume " + v.name() + "'s strip unit " + u
                        + " is not a power of two from 512 bytes to 1G");
            }
        }
        if (v.size() % 512 != 0) {
            throw new CorruptMetadataException("pool.json: volume " + v.name() + "'s size " + v.size()
                    + " is not a multiple of 512 bytes");
        }
        long capacity = RaidVolume.capacity(v.layout(), v.drives().size(), memberSize, v.stripUnit());
        if (v.size() > capacity) {
            throw new CorruptMetadataException("pool.json: volume " + v.name() + " is " + Sizes.format(v.size())
                    + ", larger than the " + Sizes.format(capacity) + " a " + v.layout().word() + " over "
                    + v.drives().size() + " of its drives holds");
        }
    }

    /** A name pool.json gives: files are named after it, so it must be one a verb could have given. */
    private static void recordedName(String what, String name) throws CorruptMetadataException {
        try {
            name(what, name);
        } catch (IllegalArgumentException e) {
            throw new CorruptMetadataException("pool.json: " + e.getMessage());
        }
    }
}
