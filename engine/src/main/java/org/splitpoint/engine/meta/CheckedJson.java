package org.splitpoint.engine.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.splitpoint.engine.io.StorageFactory;

/**
 * Self-checking JSON state files: an envelope {@code {magic, version, crc32c, body}} where the
 * CRC32C covers the compact serialization of {@code body}. A file that fails any check is refused
 * with a sentence saying which check failed, never half-read.
 */
public final class CheckedJson {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .findAndRegisterModules()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final ObjectMapper PRETTY = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

    private CheckedJson() {
    }

    /** Serializes {@code body} in the envelope and replaces {@code file} atomically. */
    public static void write(StorageFactory storage, Path file, String magic, int version, Object body)
            throws IOException {
        JsonNode bodyNode = MAPPER.valueToTree(body);
        ObjectNode env = MAPPER.createObjectNode();
        env.put("magic", magic);
        env.put("version", version);
        env.put("crc32c", crc(bodyNode));
        env.set("body", bodyNode);
        AtomicFile.replace(storage, file, PRETTY.writeValueAsBytes(env));
    }

    /** Reads and checks {@code file}; throws {@link CorruptMetadataException} naming the problem. */
    public static <T> T read(StorageFactory storage, Path file, String magic, int version, Class<T> type)
            throws IOException {
        String name = file.getFileName().toString();
        if (Files.isDirectory(file)) { // the read said only 'Is a directory', naming no file
            throw new CorruptMetadataException(name + " is a directory, not a file");
        }
        byte[] bytes = AtomicFile.read(storage, file);
        JsonNode env;
        try {
            env = MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CorruptMetadataException(name + " is not valid JSON (truncated or corrupt): " + whereItBreaks(e, bytes));
        } catch (IOException e) {
            throw new CorruptMetadataException(name + " is not valid JSON (truncated or corrupt): "
                    + firstLine(e.getMessage()));
        }
        if (env == null || !env.isObject()) {
            throw new CorruptMetadataException(name + " is empty or not a JSON object");
        }
        if (!magic.equals(env.path("magic").asText())) {
            throw new CorruptMetadataException(name + " is not a Splitpoint file (magic '"
                    + env.path("magic").asText() + "', expected '" + magic + "')");
        }
        JsonNode v = env.path("version");
        if (!v.isInt() || v.asInt() != version) { // a string "1" is no version a Splitpoint wrote (asInt read it as 1)
            throw new CorruptMetadataException(name + (v.isMissingNode() ? " has no format version"
                    : " has format version " + v) + "; this Splitpoint reads version " + version);
        }
        JsonNode body = env.get("body");
        if (body == null || !env.path("crc32c").canConvertToLong() || env.path("crc32c").asLong() != crc(body)) {
            throw new CorruptMetadataException(name + " fails its CRC32C check (the file was damaged)");
        }
        try {
            return MAPPER.treeToValue(body, type);
        } catch (IOException e) {
            throw new CorruptMetadataException(name + " has an invalid body: " + whatIsWrong(e));
        }
    }

    /**
     * What is wrong with a body that is JSON but not the file's content, in words and naming the field:
     * the mapper's own message named Java types ("Cannot construct instance of
     * `org.splitpoint.engine.pool.PoolConfig`, problem: `java.lang.NullPointerException`", "Cannot
     * deserialize value of type `org.splitpoint.engine.pool.DriveState` from String "ZOMBIE"...").
     */
    static String whatIsWrong(IOException e) {
        String at = e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? field(m) : "";
        String subject = at.isEmpty() ? "a value" : at;
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) { // "abc" for a number, "ZOMBIE" for a state
            return subject + " is " + shown(f.getValue()) + ", not " + expected(f.getTargetType());
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException v) {
            Throwable cause = v.getCause();
            if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
                return (at.isEmpty() ? "" : at + ": ") + cause.getMessage(); // a type's own sentence ("unknown layout 'raid6' ...")
            }
            return (at.isEmpty() ? "" : at + ": ") + "a list, or an entry of one, is missing (null)";
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) { // "d1" where a list belongs
            return subject + " is not " + expected(m.getTargetType());
        }
        if (e instanceof com.fasterxml.jackson.core.exc.InputCoercionException
                || e.getCause() instanceof com.fasterxml.jackson.core.exc.InputCoercionException) {
            return subject + " is a number out of its range";
        }
        return firstLine(e.getMessage());
    }

    /** The field a mapping failed at, as a path: {@code drives[0].state}; "" when it failed on the body itself. */
    private static String field(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String shown(Object value) {
        return value instanceof String s ? "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'" : String.valueOf(value);
    }

    /** What a field of {@code type} takes, in words. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "of the kind this field takes";
        }
        if (type.isEnum()) {
            java.util.List<String> values = new java.util.ArrayList<>();
            for (Object c : type.getEnumConstants()) {
                try {
                    values.add(MAPPER.writeValueAsString(c).replace("\"", "")); // as the file spells it
                } catch (IOException unexpected) {
                    values.add(c.toString());
                }
            }
            return "one of " + String.join(", ", values);
        }
        if (type == int.class || type == long.class || type == short.class || type == Integer.class
                || type == Long.class || type == Short.class) {
            return "a whole number";
        }
        if (type == double.class || type == float.class || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private static long crc(JsonNode body) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(MAPPER.writeValueAsBytes(body));
        return crc.getValue();
    }

    /**
     * Where the parse of {@code bytes} broke, in words: the parser's own message names its tokens and its
     * settings ("expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
     * "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)...]").
     */
    static String whereItBreaks(com.fasterxml.jackson.core.JsonProcessingException e, byte[] bytes) {
        if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException) {
            return "it ends early, at " + lineAndColumn(bytes, bytes.length);
        }
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        if (at == null || at.getLineNr() < 1) {
            return "it cannot be read as JSON";
        }
        // near: the parser stands on or just past the character it could not take
        return "it breaks near line " + at.getLineNr() + ", column " + Math.max(1, at.getColumnNr());
    }

    private static String lineAndColumn(byte[] bytes, int at) {
        int line = 1;
        int start = 0;
        for (int i = 0; i < at && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line++;
                start = i + 1;
            }
        }
        return "line " + line + ", column " + (at - start + 1);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
