package org.splitpoint.engine.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

class CheckedJsonTest {

    @TempDir
    Path dir;

    record Body(String name, int n) { }

    @Test
    void roundTripsTheBody() throws Exception {
        Path f = dir.resolve("x.json");
        CheckedJson.write(StorageFactory.real(), f, "m", 1, new Body("a", 7));
        assertThat(CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class)).isEqualTo(new Body("a", 7));
        assertThat(Files.exists(dir.resolve("x.json.tmp"))).isFalse();
    }

    @Test
    void refusesAChangedBodyByItsCrc() throws Exception {
        Path f = dir.resolve("x.json");
        CheckedJson.write(StorageFactory.real(), f, "m", 1, new Body("a", 7));
        Files.writeString(f, Files.readString(f).replace("\"n\" : 7", "\"n\" : 8"));
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .isInstanceOf(CorruptMetadataException.class).hasMessageContaining("CRC32C");
    }

    @Test
    void refusesATruncatedFile() throws Exception {
        Path f = dir.resolve("x.json");
        CheckedJson.write(StorageFactory.real(), f, "m", 1, new Body("a", 7));
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .isInstanceOf(CorruptMetadataException.class).hasMessageContaining("not valid JSON");
    }

    /**
     * A damaged state file is named in words an administrator reads: a truncated store.json said 'Unexpected
     * end-of-input: expected close marker for Object (start marker at [Source: REDACTED
     * (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])', a flipped first byte
     * '... or token 'null', 'true' or 'false')', and a directory in its place only 'Is a directory', no file named.
     */
    @Test
    void aDamagedFileIsNamedWithWhereItBreaksAndNoParserTalk() throws Exception {
        Path f = dir.resolve("store.json");
        CheckedJson.write(StorageFactory.real(), f, "m", 1, new Body("a", 7));
        byte[] whole = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(whole, whole.length - 1));
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .isInstanceOf(CorruptMetadataException.class)
                .hasMessageMatching("store\\.json is not valid JSON \\(truncated or corrupt\\): it ends early, at line \\d+, column \\d+");
        byte[] flipped = whole.clone();
        flipped[0] = '!';
        Files.write(f, flipped);
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .isInstanceOf(CorruptMetadataException.class)
                .hasMessageMatching("store\\.json is not valid JSON \\(truncated or corrupt\\): it breaks near line 1, column [12]");
        Files.write(f, "{\"magic\" : \u0001}".getBytes());
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .isInstanceOf(CorruptMetadataException.class)
                .hasMessageMatching("store\\.json is not valid JSON \\(truncated or corrupt\\): it breaks near line 1, column 1[23]");
        Files.delete(f);
        Files.createDirectory(f);
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .isInstanceOf(CorruptMetadataException.class)
                .hasMessage("store.json is a directory, not a file");
    }

    enum Kind { ON, OFF }

    record Entry(String name, Kind kind) { }

    record Rich(String name, int n, Kind kind, java.util.List<Entry> entries) {
        Rich {
            entries = java.util.List.copyOf(entries);
        }
    }

    /**
     * A body that is JSON but of the wrong shape (a hand edit with a fresh CRC) is said naming the field
     * and what it takes: the mapper's text named Java types and exceptions ("Cannot deserialize value of
     * type `...DriveState` from String \"ZOMBIE\"", "problem: `java.lang.NullPointerException`").
     */
    @Test
    void aBodyOfTheWrongShapeIsSaidByFieldWithoutJavaTalk() throws Exception {
        Path f = dir.resolve("pool.json");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"name\":\"a\",\"n\":\"abc\",\"kind\":\"ON\",\"entries\":[]}",
                "pool.json has an invalid body: n is 'abc', not a whole number");
        cases.put("{\"name\":\"a\",\"n\":1,\"kind\":\"ON\",\"entries\":[{\"name\":\"e\",\"kind\":\"ZOMBIE\"}]}",
                "pool.json has an invalid body: entries[0].kind is 'ZOMBIE', not one of ON, OFF");
        cases.put("{\"name\":\"a\",\"n\":1,\"kind\":\"ON\",\"entries\":\"e\"}",
                "pool.json has an invalid body: entries is not a list");
        cases.put("{\"name\":\"a\",\"n\":1,\"kind\":\"ON\",\"entries\":null}",
                "pool.json has an invalid body: a list, or an entry of one, is missing (null)");
        cases.put("{\"name\":\"a\",\"n\":1,\"kind\":\"ON\",\"entries\":[null]}",
                "pool.json has an invalid body: a list, or an entry of one, is missing (null)");
        cases.put("{\"name\":\"a\",\"n\":100000000000000000000,\"kind\":\"ON\",\"entries\":[]}",
                "pool.json has an invalid body: n is a number out of its range");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            CheckedJson.write(StorageFactory.real(), f, "m", 1, CheckedJson.MAPPER.readTree(c.getKey()));
            assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Rich.class)).as(c.getKey())
                    .isInstanceOf(CorruptMetadataException.class).hasMessage(c.getValue());
        }
    }

    @Test
    void refusesAnotherMagicOrVersion() throws Exception {
        Path f = dir.resolve("x.json");
        CheckedJson.write(StorageFactory.real(), f, "other", 1, Map.of());
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .hasMessageContaining("magic");
        CheckedJson.write(StorageFactory.real(), f, "m", 9, Map.of());
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .hasMessageContaining("version 9");
    }

    /** A version written as a string ("1") is not the number a Splitpoint writes: refused as another format. */
    @Test
    void refusesAVersionThatIsNotANumber() throws Exception {
        Path f = dir.resolve("x.json");
        CheckedJson.write(StorageFactory.real(), f, "m", 1, new Body("a", 7));
        Files.writeString(f, Files.readString(f).replace("\"version\" : 1", "\"version\" : \"1\""));
        assertThat(Files.readString(f)).contains("\"version\" : \"1\"");
        assertThatThrownBy(() -> CheckedJson.read(StorageFactory.real(), f, "m", 1, Body.class))
                .isInstanceOf(CorruptMetadataException.class).hasMessageContaining("format version \"1\"");
    }
}
