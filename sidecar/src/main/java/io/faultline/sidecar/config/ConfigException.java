package io.faultline.sidecar.config;

/** Invalid configuration: names the field (a JSON-path-like location) and what is accepted. */
public final class ConfigException extends RuntimeException {
    private final String field;

    public ConfigException(String field, String message) {
        super(field == null || field.isEmpty() ? message : field + ": " + message);
        this.field = field == null ? "" : field;
    }

    /** Location of the bad value, e.g. {@code rules[1].latency.fixed}; empty for the whole document. */
    public String field() {
        return field;
    }
}
