package io.faultline.sidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A JSON/YAML object being read, together with where it sits in the document, so that every
 * error names its field ({@code rules[2].latency.jitter}) and what is accepted there.
 */
public final class ConfigNode {
    private final JsonNode node;
    private final String path;

    public ConfigNode(JsonNode node, String path) {
        this.node = node == null ? NullNode.getInstance() : node;
        this.path = path;
    }

    public static ConfigNode empty(String path) {
        return new ConfigNode(JsonNodeFactory.instance.objectNode(), path);
    }

    public JsonNode json() {
        return node;
    }

    public String path() {
        return path;
    }

    public String pathOf(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    public ConfigException error(String field, String message) {
        return new ConfigException(field == null ? path : pathOf(field), message);
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** Rejects fields this object does not define: a typo must not silently do nothing. */
    public ConfigNode allowOnly(Set<String> fields) {
        if (!node.isObject()) {
            throw new ConfigException(path, "expected an object with fields " + new TreeSet<>(fields));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw new ConfigException(pathOf(name), "unknown field; accepted here: " + new TreeSet<>(fields));
            }
        }
        return this;
    }

    public ConfigNode object(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return empty(pathOf(field));
        }
        if (!v.isObject()) {
            throw error(field, "expected an object");
        }
        return new ConfigNode(v, pathOf(field));
    }

    public List<ConfigNode> list(String field) {
        JsonNode v = node.get(field);
        List<ConfigNode> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw error(field, "expected a list");
        }
        for (int i = 0; i < v.size(); i++) {
            out.add(new ConfigNode(v.get(i), pathOf(field) + "[" + i + "]"));
        }
        return out;
    }

    public String string(String field, String defaultValue) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isValueNode() || v.isBinary()) {
            throw error(field, "expected a string");
        }
        return v.asText();
    }

    public String requiredString(String field, String accepted) {
        String s = string(field, null);
        if (s == null || s.isBlank()) {
            throw error(field, "required; expected " + accepted);
        }
        return s;
    }

    public List<String> strings(String field) {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : list(field)) {
            if (!item.node.isTextual()) {
                throw new ConfigException(item.path, "expected a string");
            }
            out.add(item.node.asText());
        }
        return out;
    }

    public boolean bool(String field, boolean defaultValue) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        throw error(field, "expected true or false");
    }

    public double number(String field, double defaultValue, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        double d;
        if (v.isNumber()) {
            d = v.doubleValue();
        } else if (v.isTextual()) {
            try {
                d = Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                throw error(field, "'" + v.asText() + "' is not a number between " + min + " and " + max);
            }
        } else {
            throw error(field, "expected a number between " + min + " and " + max);
        }
        if (!(d >= min && d <= max)) {
            throw error(field, d + " is out of range; expected a number between " + min + " and " + max);
        }
        return d;
    }

    public long integer(String field, long defaultValue, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!(v.isIntegralNumber() || (v.isTextual() && v.asText().trim().matches("-?\\d+")))) {
            throw error(field, "expected a whole number between " + min + " and " + max);
        }
        long l = v.isTextual() ? Long.parseLong(v.asText().trim()) : v.longValue();
        if (l < min || l > max) {
            throw error(field, l + " is out of range; expected a whole number between " + min + " and " + max);
        }
        return l;
    }

    public Duration duration(String field, Duration defaultValue) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw error(field, "required; expected " + Durations.ACCEPTED);
            }
            return defaultValue;
        }
        if (v.isIntegralNumber() && v.longValue() == 0) {
            return Duration.ZERO;
        }
        if (!v.isTextual()) {
            throw error(field, "expected " + Durations.ACCEPTED + " (a string with a unit)");
        }
        try {
            Duration d = Durations.parse(v.asText());
            if (d.isNegative()) {
                throw error(field, "must not be negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw error(field, e.getMessage());
        }
    }

    public long size(String field, Long defaultValue) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw error(field, "required; expected " + Sizes.SIZE_ACCEPTED);
            }
            return defaultValue;
        }
        if (v.isIntegralNumber() && v.longValue() >= 0) {
            return v.longValue();
        }
        try {
            return Sizes.parseSize(v.asText());
        } catch (IllegalArgumentException e) {
            throw error(field, e.getMessage());
        }
    }

    public long rate(String field, Long defaultValue) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw error(field, "required; expected " + Sizes.RATE_ACCEPTED);
            }
            return defaultValue;
        }
        if (v.isIntegralNumber() && v.longValue() >= 0) {
            return v.longValue();
        }
        try {
            return Sizes.parseRate(v.asText());
        } catch (IllegalArgumentException e) {
            throw error(field, e.getMessage());
        }
    }

    public <E extends Enum<E>> E enumValue(String field, Class<E> type, E defaultValue) {
        String s = string(field, null);
        if (s == null) {
            return defaultValue;
        }
        for (E e : type.getEnumConstants()) {
            if (e.toString().equals(s)) {
                return e;
            }
        }
        List<String> accepted = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            accepted.add(e.toString());
        }
        throw error(field, "'" + s + "' is not accepted; expected one of " + accepted);
    }
}
