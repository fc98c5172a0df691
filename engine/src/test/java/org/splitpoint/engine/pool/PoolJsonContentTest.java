package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.meta.CheckedJson;

/**
 * A pool.json whose CRC32C is right (written by hand, by a script, by another tool) but whose
 * content cannot be a pool: refused at open with one sentence naming what is wrong, and no file of
 * the pool changed. Before these checks such files opened: two volumes writing one drive, a pair
 * of a volume with itself, a volume larger than its drives, names that reach outside the pool
 * directory as paths, or an internal error (a pair naming no volume, a strip unit of 0).
 */
class PoolJsonContentTest {

    @TempDir
    Path dir;

    static Stream<Arguments> damage() {
        return Stream.of(
                Arguments.of("a pair naming an unknown volume",
                        (Consumer<ObjectNode>) b -> pair(b).put("bcv", "nope"),
                        "pool.json: pair p names unknown volume nope"),
                Arguments.of("a pair of a volume with itself",
                        (Consumer<ObjectNode>) b -> pair(b).put("bcv", "std"),
                        "pool.json: pair p has volume std as both its STD and its BCV"),
                Arguments.of("two volumes over one drive",
                        (Consumer<ObjectNode>) b -> volume(b, "bcv").set("drives", strings(b, "d3", "d1")),
                        "pool.json: drive d1 is a member of both volume std and volume bcv"),
                Arguments.of("a drive named twice in one volume",
                        (Consumer<ObjectNode>) b -> volume(b, "bcv").set("drives", strings(b, "d3", "d3")),
                        "pool.json: volume bcv names drive d3 twice"),
                Arguments.of("two volumes of one name",
                        (Consumer<ObjectNode>) b -> volume(b, "bcv").put("name", "std"),
                        "pool.json: two volumes are named std"),
                Arguments.of("a volume name that is a path",
                        (Consumer<ObjectNode>) b -> volume(b, "bcv").put("name", "../bcv"),
                        "pool.json: '../bcv' is not a valid volume name"),
                Arguments.of("a drive name that is a path",
                        (Consumer<ObjectNode>) b -> drive(b, "d6").put("name", "../../etc/x"),
                        "pool.json: '../../etc/x' is not a valid drive name"),
                Arguments.of("a volume larger than its drives",
                        (Consumer<ObjectNode>) b -> volume(b, "std").put("size", 2L << 20),
                        "pool.json: volume std is 2 MiB, larger than the 1 MiB a raid1 over 2 of its drives holds"),
                Arguments.of("a volume size that is not whole sectors",
                        (Consumer<ObjectNode>) b -> volume(b, "std").put("size", (1L << 20) - 100),
                        "pool.json: volume std's size 1048476 is not a multiple of 512 bytes"),
                Arguments.of("a parity volume's strip unit of 0",
                        (Consumer<ObjectNode>) b -> volume(b, "p5").put("stripUnit", 0),
                        "pool.json: volume p5's strip unit 0 is not a power of two from 512 bytes to 1G"),
                Arguments.of("a journal on an unknown drive",
                        (Consumer<ObjectNode>) b -> ((ObjectNode) b.withArray("journals").addObject())
                                .put("volume", "std").set("drives", strings(b, "d6", "d99")),
                        "pool.json: the journal of volume std names unknown drive d99"),
                Arguments.of("a next drive number that is a drive's already",
                        (Consumer<ObjectNode>) b -> b.put("nextDrive", 1),
                        "pool.json: nextDrive is 1, not past drive d1: a drive added would take an existing drive's name"),
                Arguments.of("a volume member whose entry says it is in no volume",
                        (Consumer<ObjectNode>) b -> drive(b, "d1").put("state", "SPARE").putNull("volume"),
                        "pool.json: drive d1 is a member of volume std, but its entry says it is in no volume"),
                Arguments.of("a volume member whose entry says it is SPARE",
                        (Consumer<ObjectNode>) b -> drive(b, "d1").put("state", "SPARE"),
                        "pool.json: drive d1 is a member of volume std, but its entry says it is SPARE"),
                Arguments.of("a drive entry in a volume that does not list it",
                        (Consumer<ObjectNode>) b -> drive(b, "d5").put("state", "ONLINE").put("volume", "std"),
                        "pool.json: drive d5's entry says it is in volume std, which does not list it as a member"),
                Arguments.of("a journal on one drive",
                        (Consumer<ObjectNode>) b -> journal(b).set("drives", strings(b, "d5")),
                        "pool.json: the journal of volume std names 1 drive; a journal has two"),
                Arguments.of("a journal naming one drive twice",
                        (Consumer<ObjectNode>) b -> journal(b).set("drives", strings(b, "d5", "d5")),
                        "pool.json: the journal of volume std names drive d5 twice"),
                Arguments.of("a journal leg on a volume's member",
                        (Consumer<ObjectNode>) b -> journal(b).set("drives", strings(b, "d5", "d3")),
                        "pool.json: the journal of volume std has a leg on drive d3, a member of volume bcv"),
                Arguments.of("a journal of an unknown volume",
                        (Consumer<ObjectNode>) b -> journal(b).put("volume", "nope"),
                        "pool.json: a journal names unknown volume nope"),
                Arguments.of("two journals of one volume",
                        (Consumer<ObjectNode>) b -> b.withArray("journals").add(journal(b).deepCopy()),
                        "pool.json: volume std has two journals"),
                Arguments.of("a journal drive whose entry does not say so",
                        (Consumer<ObjectNode>) b -> {
                            journal(b);
                            drive(b, "d6").putNull("journal");
                        },
                        "pool.json: the journal of volume std names drive d6, whose entry says it holds no journal"),
                Arguments.of("a drive entry holding a journal that does not name it",
                        (Consumer<ObjectNode>) b -> drive(b, "d5").put("state", "ONLINE").put("journal", "std"),
                        "pool.json: drive d5's entry says it holds the journal of volume std, which does not name it"),
                Arguments.of("a service window's repository on a member of its volume",
                        (Consumer<ObjectNode>) b -> window(b, "d2").put("repository", "d1"),
                        "pool.json: the service window of volume std keeps its repository on drive d1, a member of volume std"),
                Arguments.of("a service window's repository on a journal's leg",
                        (Consumer<ObjectNode>) b -> {
                            journal(b);
                            window(b, "d2").put("repository", "d6");
                        },
                        "pool.json: the service window of volume std keeps its repository on drive d6, a leg of the journal of volume std"),
                Arguments.of("a service window of a drive that is not the volume's",
                        (Consumer<ObjectNode>) b -> window(b, "d3"),
                        "pool.json: the service window of volume std names drive d3, which is not a member of it"),
                Arguments.of("two service windows of one volume",
                        (Consumer<ObjectNode>) b -> b.withArray("services").add(window(b, "d2").deepCopy()),
                        "pool.json: volume std has two service windows"),
                Arguments.of("two pairs of one name",
                        (Consumer<ObjectNode>) b -> b.withArray("pairs").add(pair(b).deepCopy()
                                .put("std", "p5").put("bcv", "std")),
                        "pool.json: two pairs are named p"),
                Arguments.of("a volume in two pairs",
                        (Consumer<ObjectNode>) b -> b.withArray("pairs").add(pair(b).deepCopy()
                                .put("name", "q").put("std", "bcv").put("bcv", "p5")),
                        "pool.json: volume bcv is in both pair p and pair q"),
                Arguments.of("lost tracks of an unknown volume",
                        (Consumer<ObjectNode>) b -> lost(b).put("volume", "nope"),
                        "pool.json: lost tracks are on record for unknown volume nope"),
                Arguments.of("a lost track before the first",
                        (Consumer<ObjectNode>) b -> lost(b).set("tracks", b.arrayNode().add(3).add(-5)),
                        "pool.json: volume std's lost tracks include track -5"),
                Arguments.of("a save area that is no volume",
                        (Consumer<ObjectNode>) b -> ((ObjectNode) b.get("snapshots")).put("saveArea", "nope"),
                        "pool.json: the snapshots' save area is unknown volume nope"),
                Arguments.of("a snapshot of an unknown volume",
                        (Consumer<ObjectNode>) b -> ((ObjectNode) b.get("snapshots")).withArray("snapshots").addObject()
                                .put("volume", "nope").put("name", "s1").put("gen", 1),
                        "pool.json: snapshot s1 is of unknown volume nope"),
                Arguments.of("two snapshots of one name",
                        (Consumer<ObjectNode>) b -> {
                            ArrayNode snaps = ((ObjectNode) b.get("snapshots")).withArray("snapshots");
                            snaps.addObject().put("volume", "std").put("name", "s1").put("gen", 1);
                            snaps.addObject().put("volume", "std").put("name", "s1").put("gen", 2);
                        },
                        "pool.json: volume std has two snapshots named s1"),
                Arguments.of("a job of a kind this Splitpoint does not run",
                        (Consumer<ObjectNode>) b -> b.withArray("jobs").addObject().put("id", "defrag-1")
                                .put("kind", "defrag").put("volume", "std").put("drive", "d1"),
                        "pool.json: job defrag-1 is of kind 'defrag', which this Splitpoint does not run"),
                Arguments.of("a rebuild of an unknown drive",
                        (Consumer<ObjectNode>) b -> b.withArray("jobs").addObject().put("id", "rebuild-1")
                                .put("kind", "rebuild").put("volume", "std").put("drive", "d99"),
                        "pool.json: job rebuild-1 names unknown drive d99"),
                // the size 'drive add' gives a drive without --size: taken, it refused that command as a usage
                // error ('drive size must be at least 1M, not -5 B', exit 2) though none was given
                Arguments.of("a negative default drive size",
                        (Consumer<ObjectNode>) b -> b.put("driveSize", -5),
                        "pool.json: its default drive size must be at least 1M, not -5 B (driveSize)"),
                Arguments.of("a default drive size of 2^63-1",
                        (Consumer<ObjectNode>) b -> b.put("driveSize", Long.MAX_VALUE),
                        "pool.json: its default drive size must be a multiple of 4K, not 9223372036854775807 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damage")
    void isRefusedWithOneSentenceAndNothingChanges(String what, Consumer<ObjectNode> damage, String sentence)
            throws Exception {
        Pool.create(dir, 9, 1 << 20, 4096, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("std", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("bcv", Layout.RAID1, List.of("d3", "d4"), 0);
            p.admin().createVolume("p5", Layout.RAID5, List.of("d7", "d8", "d9"), 0);
            p.pairs().create("p", "std", "bcv");
        }
        Path json = dir.resolve("pool.json");
        ObjectNode body = (ObjectNode) CheckedJson.MAPPER.readTree(Files.readAllBytes(json)).get("body");
        damage.accept(body);
        CheckedJson.write(StorageFactory.real(), json, PoolConfig.MAGIC, PoolConfig.VERSION, body);
        Map<Path, byte[]> before = files();

        assertThatThrownBy(() -> Pool.open(dir)).as(what).isInstanceOf(PoolException.class)
                .hasMessageContaining(sentence);
        Map<Path, byte[]> after = files();
        assertThat(after.keySet()).as(what + ": the files of the pool").isEqualTo(before.keySet());
        before.forEach((f, bytes) -> assertThat(after.get(f)).as(what + ": " + f).isEqualTo(bytes));
        assertThat(dir.getParent().resolve("bcv.wib")).as("a file outside meta/").doesNotExist();
    }

    private Map<Path, byte[]> files() throws Exception {
        Map<Path, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(f), Files.readAllBytes(f));
            }
        }
        return m;
    }

    /** A journal of volume std on d5 and d6 as {@code journal enable} records it; returns its entry. */
    private static ObjectNode journal(ObjectNode body) {
        for (String d : new String[] {"d5", "d6"}) {
            drive(body, d).put("state", "ONLINE").put("journal", "std");
        }
        ObjectNode j = body.withArray("journals").addObject().put("volume", "std").put("store", "/nowhere")
                .put("storeUuid", "u").put("maxSize", 1L << 19).put("maxAgeSeconds", 0).putNull("base")
                .put("shippedThrough", 0);
        j.set("drives", strings(body, "d5", "d6"));
        return j;
    }

    /** A repository window of volume std for member {@code drive} on SPARE d5, as {@code drive offline} records it. */
    private static ObjectNode window(ObjectNode body, String drive) {
        drive(body, "d2").put("state", "OFFLINE").put("reason", "firmware");
        drive(body, "d5").put("repository", "std");
        return body.withArray("services").addObject().put("volume", "std").put("drive", drive)
                .put("reason", "firmware").put("mode", "repository").put("since", "2026-12-06T22:58:16.705Z")
                .put("phase", "window").put("repository", "d5");
    }

    /** Lost tracks of volume std on d1 and d2, as a second failure in a service window records them. */
    private static ObjectNode lost(ObjectNode body) {
        ObjectNode l = body.withArray("lost").addObject().put("volume", "std").put("why", "d2 failed in d1's window");
        l.set("drives", strings(body, "d1", "d2"));
        l.set("tracks", body.arrayNode().add(3));
        return l;
    }

    private static ObjectNode pair(ObjectNode body) {
        return (ObjectNode) body.get("pairs").get(0);
    }

    private static ObjectNode volume(ObjectNode body, String name) {
        return named(body.get("volumes"), name);
    }

    private static ObjectNode drive(ObjectNode body, String name) {
        return named(body.get("drives"), name);
    }

    private static ObjectNode named(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (name.equals(n.path("name").asText())) {
                return (ObjectNode) n;
            }
        }
        throw new AssertionError("no entry " + name);
    }

    private static ArrayNode strings(ObjectNode body, String... values) {
        ArrayNode a = body.arrayNode();
        for (String v : values) {
            a.add(v);
        }
        return a;
    }
}
