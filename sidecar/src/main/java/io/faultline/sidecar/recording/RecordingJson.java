package io.faultline.sidecar.recording;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Recorded exchanges as the native JSON of {@code GET /v1/recordings}, or as a HAR 1.2 log. */
public final class RecordingJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private RecordingJson() {
    }

    /** Native form: one object per exchange, timings in milliseconds (null where a phase did not happen). */
    public static ObjectNode entry(RecordedExchange e) {
        ObjectNode n = JSON.objectNode();
        n.put("id", e.id());
        n.put("listener", e.listener());
        n.put("startedAt", Instant.ofEpochMilli(e.startedAtEpochMillis()).toString());
        n.put("method", e.method());
        n.put("uri", e.uri());
        n.put("host", e.host());
        n.put("httpVersion", e.httpVersion());
        n.put("status", e.status());
        n.put("outcome", e.outcome());
        ArrayNode rules = n.putArray("rules");
        e.rules().forEach(rules::add);
        n.set("requestHeaders", headersObject(e.requestHeaders()));
        n.set("responseHeaders", headersObject(e.responseHeaders()));
        ObjectNode t = n.putObject("timings");
        putMillis(t, "connectMs", e.connectNanos());
        putMillis(t, "timeToFirstByteMs", e.timeToFirstByteNanos());
        putMillis(t, "totalMs", e.totalNanos());
        if (e.requestBody().captured() != null || e.responseBody().captured() != null) {
            n.set("requestBody", body(e.requestBody()));
            n.set("responseBody", body(e.responseBody()));
        }
        return n;
    }

    /** A HAR 1.2 log ({@code log.version}, {@code creator}, {@code entries}); our extras start with '_'. */
    public static ObjectNode har(List<RecordedExchange> entries, String creatorVersion) {
        ObjectNode root = JSON.objectNode();
        ObjectNode log = root.putObject("log");
        log.put("version", "1.2");
        log.putObject("creator").put("name", "faultline-sidecar").put("version", creatorVersion);
        ArrayNode out = log.putArray("entries");
        for (RecordedExchange e : entries) {
            out.add(harEntry(e));
        }
        return root;
    }

    static ObjectNode harEntry(RecordedExchange e) {
        long[] p = e.harPhasesNanos();
        ObjectNode n = JSON.objectNode();
        n.put("startedDateTime", Instant.ofEpochMilli(e.startedAtEpochMillis()).toString());
        double total = 0;
        for (long part : p) {
            total += part > 0 ? harMillis(part) : 0; // HAR: time is the sum of the parts that apply
        }
        n.put("time", round(total));
        ObjectNode req = n.putObject("request");
        req.put("method", e.method());
        String host = e.host() == null || e.host().isEmpty() ? "unknown" : e.host();
        req.put("url", e.uri().startsWith("/") ? "http://" + host + e.uri() : e.uri());
        req.put("httpVersion", e.httpVersion());
        req.putArray("cookies");
        req.set("headers", headersArray(e.requestHeaders()));
        ArrayNode query = req.putArray("queryString");
        for (Map.Entry<String, List<String>> q : queryOf(e.uri()).entrySet()) {
            q.getValue().forEach(v -> query.addObject().put("name", q.getKey()).put("value", v));
        }
        if (e.requestBody().size() > 0) {
            ObjectNode post = req.putObject("postData");
            post.put("mimeType", headerValue(e.requestHeaders(), "content-type", ""));
            post.put("text", e.requestBody().captured() == null ? "" : text(e.requestBody().captured()));
            if (e.requestBody().captured() != null && !isUtf8(e.requestBody().captured())) {
                post.put("comment", "base64 (not UTF-8)");
            }
        }
        req.put("headersSize", -1);
        req.put("bodySize", e.requestBody().size());
        ObjectNode res = n.putObject("response");
        res.put("status", e.status());
        res.put("statusText", e.statusText() == null ? "" : e.statusText());
        res.put("httpVersion", e.httpVersion());
        res.putArray("cookies");
        res.set("headers", headersArray(e.responseHeaders()));
        ObjectNode content = res.putObject("content");
        content.put("size", e.responseBody().size());
        content.put("mimeType", e.responseContentType() == null ? "" : e.responseContentType());
        byte[] captured = e.responseBody().captured();
        if (captured != null) {
            if (isUtf8(captured)) {
                content.put("text", text(captured));
            } else {
                content.put("text", Base64.getEncoder().encodeToString(captured));
                content.put("encoding", "base64");
            }
            if (e.responseBody().truncated()) {
                content.put("comment", "truncated to the first " + captured.length + " bytes");
            }
        }
        res.put("redirectURL", headerValue(e.responseHeaders(), "location", ""));
        res.put("headersSize", -1);
        res.put("bodySize", e.status() == 0 ? -1 : e.responseBody().size());
        n.putObject("cache");
        ObjectNode t = n.putObject("timings");
        t.put("blocked", harMillis(p[0]));
        t.put("dns", -1);
        t.put("connect", harMillis(p[1]));
        t.put("send", harMillis(p[2]));
        t.put("wait", harMillis(p[3]));
        t.put("receive", harMillis(p[4]));
        t.put("ssl", -1);
        n.put("_id", e.id());
        n.put("_listener", e.listener());
        n.put("_outcome", e.outcome());
        ArrayNode rules = n.putArray("_rules");
        e.rules().forEach(rules::add);
        return n;
    }

    /** Decoded query parameters; a query that is not valid percent-encoding is listed as it came. */
    private static Map<String, List<String>> queryOf(String uri) {
        try {
            return new QueryStringDecoder(uri).parameters();
        } catch (IllegalArgumentException e) {
            Map<String, List<String>> raw = new java.util.LinkedHashMap<>();
            int q = uri.indexOf('?');
            if (q >= 0) {
                for (String pair : uri.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    raw.computeIfAbsent(eq < 0 ? pair : pair.substring(0, eq), k -> new java.util.ArrayList<>())
                            .add(eq < 0 ? "" : pair.substring(eq + 1));
                }
            }
            return raw;
        }
    }

    private static ObjectNode headersObject(List<RecordedExchange.Header> headers) {
        ObjectNode h = JSON.objectNode();
        for (RecordedExchange.Header header : headers) {
            ArrayNode values = h.has(header.name()) ? (ArrayNode) h.get(header.name()) : h.putArray(header.name());
            values.add(header.value());
        }
        return h;
    }

    private static ArrayNode headersArray(List<RecordedExchange.Header> headers) {
        ArrayNode a = JSON.arrayNode();
        headers.forEach(h -> a.addObject().put("name", h.name()).put("value", h.value()));
        return a;
    }

    private static String headerValue(List<RecordedExchange.Header> headers, String name, String dflt) {
        for (RecordedExchange.Header h : headers) {
            if (h.name().equals(name)) {
                return h.value();
            }
        }
        return dflt;
    }

    private static ObjectNode body(RecordedExchange.Body b) {
        ObjectNode n = JSON.objectNode();
        n.put("size", b.size());
        byte[] c = b.captured() == null ? new byte[0] : b.captured();
        n.put("truncated", c.length < b.size());
        if (isUtf8(c)) {
            n.put("text", text(c));
        } else {
            n.put("base64", Base64.getEncoder().encodeToString(c));
        }
        return n;
    }

    /** A cut at the bound may split a UTF-8 sequence: a trailing partial character still counts as text. */
    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, bytes.length - partialTail(bytes)));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String text(byte[] bytes) {
        return isUtf8(bytes) ? new String(bytes, 0, bytes.length - partialTail(bytes), StandardCharsets.UTF_8)
                : Base64.getEncoder().encodeToString(bytes);
    }

    /** Bytes of an incomplete UTF-8 sequence at the end (0-3). */
    private static int partialTail(byte[] b) {
        for (int back = 1; back <= Math.min(3, b.length); back++) {
            int c = b[b.length - back] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead
            }
            int need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
            return need > back ? back : 0;
        }
        return 0;
    }

    private static void putMillis(ObjectNode n, String field, long nanos) {
        if (nanos < 0) {
            n.putNull(field);
        } else {
            n.put(field, round(millis(nanos)));
        }
    }

    private static double harMillis(long nanos) {
        return nanos < 0 ? -1 : round(millis(nanos));
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static double round(double ms) {
        return BigDecimal.valueOf(ms).setScale(3, RoundingMode.HALF_UP).doubleValue();
    }
}
