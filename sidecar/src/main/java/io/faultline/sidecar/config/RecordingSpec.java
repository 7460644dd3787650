package io.faultline.sidecar.config;

import java.util.List;

/**
 * Opt-in recording of an http listener's exchanges into a bounded ring buffer ({@link #OFF} = none).
 * {@code capacity}: exchanges kept (the oldest is overwritten); {@code headers}: lower-case names
 * recorded from requests and responses; {@code bodyBytes}: the most of each body kept (0 = none).
 */
public record RecordingSpec(int capacity, List<String> headers, int bodyBytes) {
    public static final RecordingSpec OFF = new RecordingSpec(0, List.of(), 0);
    public static final int DEFAULT_CAPACITY = 1000;
    public static final int MAX_CAPACITY = 10_000;
    public static final int MAX_HEADERS = 16;
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** capacity x bodyBytes at most this: bodies of both directions stay within 2 x 16 MiB. */
    public static final long MAX_BODY_BYTES_TOTAL = 16L * 1024 * 1024;

    public RecordingSpec {
        headers = List.copyOf(headers);
    }

    public boolean enabled() {
        return capacity > 0;
    }
}
