package io.faultline.sidecar.recording;

import io.faultline.sidecar.config.RecordingSpec;
import io.faultline.sidecar.engine.ListenerStats;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Times the requests of one http client connection (one at a time, in order) into the listener's
 * histograms and, while the listener records, builds a {@link RecordedExchange} per request. When the
 * listener does not record, nothing is allocated per request: only primitive marks are kept.
 *
 * <p>Bounds per recorded exchange: URI {@value #MAX_URI} characters, at most {@value #MAX_HEADER_VALUES}
 * header values per direction of at most {@value #MAX_VALUE} characters each, host and content type
 * {@value #MAX_VALUE}, bodies {@code bodyBytes} each: about 12 KiB plus 2 x bodyBytes.
 */
public final class ExchangeRecorder {
    static final int MAX_URI = 2048;
    static final int MAX_VALUE = 256;
    static final int MAX_HEADER_VALUES = RecordingSpec.MAX_HEADERS;
    private static final String GRPC_STATUS = "grpc-status";
    private static final String GRPC_MESSAGE = "grpc-message";

    private final String listener;
    private final ListenerStats stats;
    private boolean active;
    private long start;
    private long forwardStart;
    private long connectStart;
    private long connected;
    private long sent;
    private long firstByte;
    private Draft draft;

    public ExchangeRecorder(String listener, ListenerStats stats) {
        this.listener = listener;
        this.stats = stats;
    }

    /** What is known of a recorded exchange before it ends. */
    private static final class Draft {
        final RecordingBuffer buffer;
        final long startedAtMillis = System.currentTimeMillis();
        final List<String> headerNames;
        String method = "";
        String uri = "";
        String host = "";
        String httpVersion = "HTTP/1.1";
        List<RecordedExchange.Header> requestHeaders = List.of();
        List<RecordedExchange.Header> responseHeaders = List.of();
        int status;
        String statusText = "";
        String contentType;
        final BodyCapture requestBody;
        final BodyCapture responseBody;

        Draft(RecordingBuffer buffer, RecordingSpec spec) {
            this.buffer = buffer;
            this.headerNames = spec.headers();
            this.requestBody = new BodyCapture(spec.bodyBytes());
            this.responseBody = new BodyCapture(spec.bodyBytes());
        }
    }

    /** A request head arrived ({@code request} null: it was malformed). */
    public void requestReceived(HttpRequest request, long nanos) {
        active = true;
        start = nanos;
        forwardStart = -1;
        connectStart = -1;
        connected = -1;
        sent = -1;
        firstByte = -1;
        RecordingBuffer buffer = stats.recordings;
        if (buffer == null) {
            draft = null;
            return;
        }
        Draft d = new Draft(buffer, buffer.spec());
        if (request != null) {
            d.method = request.method().name();
            d.uri = cut(request.uri(), MAX_URI);
            d.host = cut(request.headers().get(HttpHeaderNames.HOST, ""), MAX_VALUE);
            d.httpVersion = request.protocolVersion().text();
            d.requestHeaders = select(request.headers(), d.headerNames);
        }
        draft = d;
    }

    /** Whether the request in progress is being recorded (the listener recorded when it arrived). */
    public boolean recording() {
        return draft != null;
    }

    /** The request leaves the rules for the upstream; {@code newConnection}: a connection starts opening now. */
    public void forwardingStarted(boolean newConnection, long nanos) {
        if (!active) {
            return;
        }
        forwardStart = nanos;
        if (newConnection) {
            connectStart = nanos;
        }
    }

    public void upstreamConnected(long nanos) {
        if (!active) {
            return;
        }
        connected = nanos;
        if (connectStart < 0) {
            connectStart = forwardStart >= 0 ? forwardStart : start;
        }
        stats.httpTimings.upstreamConnect.observeNanos(connected - connectStart);
    }

    public void requestSent(long nanos) {
        if (active) {
            sent = nanos;
        }
    }

    public void requestBody(ByteBuf content) {
        if (active && draft != null) {
            draft.requestBody.add(content);
        }
    }

    public void responseStarted(HttpResponse head, long nanos) {
        if (!active) {
            return;
        }
        firstByte = nanos;
        Draft d = draft;
        if (d != null) {
            d.status = head.status().code();
            d.statusText = cut(head.status().reasonPhrase(), MAX_VALUE);
            d.contentType = cut(head.headers().get(HttpHeaderNames.CONTENT_TYPE), MAX_VALUE);
            d.responseHeaders = withGrpcStatus(select(head.headers(), d.headerNames), head.headers());
        }
    }

    /** h2 response trailers: the selected names are recorded with the head's, grpc-status and grpc-message always. */
    public void responseTrailers(HttpHeaders trailers) {
        Draft d = draft;
        if (!active || d == null) {
            return;
        }
        List<RecordedExchange.Header> all = new ArrayList<>(d.responseHeaders);
        for (RecordedExchange.Header h : select(trailers, d.headerNames)) {
            if (all.size() < MAX_HEADER_VALUES) {
                all.add(h);
            }
        }
        d.responseHeaders = withGrpcStatus(all, trailers);
    }

    public void responseBody(ByteBuf content) {
        if (active && draft != null) {
            draft.responseBody.add(content);
        }
    }

    /** The response's last byte went to the client. {@code rules}: those that injected into the request. */
    public void responseComplete(List<String> rules, long nanos) {
        if (!active) {
            return;
        }
        if (firstByte >= 0) {
            stats.httpTimings.timeToFirstByte.observeNanos(firstByte - start);
        }
        stats.httpTimings.total.observeNanos(nanos - start);
        finish(forwarded() ? "forwarded" : "answered", rules, nanos);
    }

    /** The connection closed before the response was complete (not counted in the histograms). */
    public void aborted(List<String> rules, long nanos) {
        if (active) {
            finish("aborted", rules, nanos);
        }
    }

    private boolean forwarded() {
        return sent >= 0 || connected >= 0 || forwardStart >= 0;
    }

    private void finish(String outcome, List<String> rules, long end) {
        active = false;
        Draft d = draft;
        draft = null;
        if (d == null) {
            return;
        }
        d.buffer.add(new RecordedExchange(0, listener, d.startedAtMillis, d.method, d.uri, d.host, d.httpVersion,
                outcome.equals("aborted") && firstByte < 0 ? 0 : d.status, d.statusText, outcome, List.copyOf(rules),
                d.requestHeaders, d.responseHeaders, d.contentType, d.requestBody.toBody(), d.responseBody.toBody(),
                rel(connectStart), rel(connected), rel(forwardStart), rel(sent), rel(firstByte), Math.max(0, end - start)));
    }

    private long rel(long mark) {
        return mark < 0 ? -1 : Math.max(0, mark - start);
    }

    /** gRPC's outcome is grpc-status (in the head of a trailers-only answer, else in the trailers): always kept. */
    private static List<RecordedExchange.Header> withGrpcStatus(List<RecordedExchange.Header> selected, HttpHeaders h) {
        if (!h.contains(GRPC_STATUS)) {
            return selected;
        }
        List<RecordedExchange.Header> out = new ArrayList<>(selected);
        for (String name : List.of(GRPC_STATUS, GRPC_MESSAGE)) {
            String value = h.get(name);
            boolean present = out.stream().anyMatch(x -> x.name().equalsIgnoreCase(name));
            if (value != null && !present) {
                out.add(new RecordedExchange.Header(name, cut(value, MAX_VALUE)));
            }
        }
        return out;
    }

    private static List<RecordedExchange.Header> select(HttpHeaders headers, List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        List<RecordedExchange.Header> out = new ArrayList<>(Math.min(names.size(), 4));
        for (String name : names) {
            for (String value : headers.getAll(name)) {
                if (out.size() >= MAX_HEADER_VALUES) {
                    return out;
                }
                out.add(new RecordedExchange.Header(name, cut(value, MAX_VALUE)));
            }
        }
        return out;
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
