package io.faultline.sidecar.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.engine.Engine;
import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.recording.RecordedExchange;
import io.faultline.sidecar.recording.RecordingBuffer;
import io.faultline.sidecar.recording.RecordingJson;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recorded exchanges of the listeners that record: {@code GET /v1/recordings} (native JSON, or HAR
 * 1.2 with {@code format=har}), {@code GET /v1/recordings.har}, {@code DELETE /v1/recordings}.
 * Query: {@code listener} (one listener), {@code limit} (the newest N, oldest first).
 */
final class RecordingsApi {
    private static final int MAX_LIMIT = 100_000;

    private final Engine engine;

    RecordingsApi(Engine engine) {
        this.engine = engine;
    }

    void register(Router router) {
        router.addSync(HttpMethod.GET, "/v1/recordings", r -> get(r, format(r)));
        router.addSync(HttpMethod.GET, "/v1/recordings.har", r -> get(r, "har"));
        router.addSync(HttpMethod.DELETE, "/v1/recordings", this::clear);
    }

    private AdminResponse get(AdminRequest r, String format) {
        Map<String, RecordingBuffer> buffers = selected(r);
        int limit = limit(r);
        List<RecordedExchange> entries = new ArrayList<>();
        buffers.values().forEach(b -> entries.addAll(b.newest(limit)));
        entries.sort(Comparator.comparingLong(RecordedExchange::startedAtEpochMillis)
                .thenComparing(RecordedExchange::listener).thenComparingLong(RecordedExchange::id));
        List<RecordedExchange> newest = entries.subList(Math.max(0, entries.size() - limit), entries.size());
        if (format.equals("har")) {
            return AdminResponse.ok(RecordingJson.har(newest, version()));
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode listeners = root.putObject("listeners");
        buffers.forEach((name, b) -> listeners.putObject(name)
                .put("capacity", b.capacity()).put("size", b.size()).put("recorded", b.recorded()));
        ArrayNode out = root.putArray("entries");
        newest.forEach(e -> out.add(RecordingJson.entry(e)));
        return AdminResponse.ok(root);
    }

    private AdminResponse clear(AdminRequest r) {
        int cleared = 0;
        for (RecordingBuffer b : selected(r).values()) {
            cleared += b.clear();
        }
        return AdminResponse.ok(JsonNodeFactory.instance.objectNode().put("cleared", cleared));
    }

    /** The recording listeners, or the one named by {@code listener} (404 if there is no such listener). */
    private Map<String, RecordingBuffer> selected(AdminRequest r) {
        String only = r.queryParam("listener");
        Map<String, RecordingBuffer> out = new LinkedHashMap<>();
        boolean known = only == null;
        for (ListenerSpec l : engine.config().listeners()) {
            if (only != null && !only.equals(l.name())) {
                continue;
            }
            known = true;
            ListenerStats stats = engine.listenerStats().get(l.name());
            RecordingBuffer b = stats == null ? null : stats.recordings;
            if (b != null) {
                out.put(l.name(), b);
            }
        }
        if (!known) {
            throw new ApiException(HttpResponseStatus.NOT_FOUND, "no listener named '" + only + "'");
        }
        return out;
    }

    private static String version() {
        String v = RecordingsApi.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    private static int limit(AdminRequest r) {
        String s = r.queryParam("limit");
        if (s == null) {
            return MAX_LIMIT;
        }
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(HttpResponseStatus.BAD_REQUEST,
                "limit: '" + s + "' is not accepted; expected a whole number from 1 to " + MAX_LIMIT);
    }

    private static String format(AdminRequest r) {
        String f = r.queryParam("format");
        if (f == null || f.equals("json") || f.equals("har")) {
            return f == null ? "json" : f;
        }
        throw new ApiException(HttpResponseStatus.BAD_REQUEST,
                "format: '" + f + "' is not accepted; expected json or har");
    }
}
