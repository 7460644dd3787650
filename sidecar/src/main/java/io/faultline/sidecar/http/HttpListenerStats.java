package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.LongAdder;

/** Request-level counters of one http listener (the bad-input and upstream-error answers included). */
public final class HttpListenerStats {
    /** Request heads received from clients, well-formed or not. */
    public final LongAdder requests = new LongAdder();
    /** Requests relayed to the upstream. */
    public final LongAdder forwarded = new LongAdder();
    /** Requests answered by a fault (abort, rateLimit, transient...) without the upstream. */
    public final LongAdder answeredByFault = new LongAdder();
    /** Connections closed by drop or reset faults. */
    public final LongAdder droppedByFault = new LongAdder();
    /** 400: malformed request line, headers or body framing; the connection is closed. */
    public final LongAdder badRequests = new LongAdder();
    /** 414: request line longer than the limit. */
    public final LongAdder uriTooLong = new LongAdder();
    /** 431: header block larger than the limit. */
    public final LongAdder headersTooLarge = new LongAdder();
    /** 501/505/417: methods, versions or expectations this proxy does not serve (CONNECT, HTTP/2 preface...). */
    public final LongAdder unsupported = new LongAdder();
    /** 502: upstream refused, closed without a response, or answered something that is not HTTP/1.x. */
    public final LongAdder badGateway = new LongAdder();
    /** 504: upstream connect or response timeout. */
    public final LongAdder gatewayTimeout = new LongAdder();
    /** Client connections closed after idleTimeout with no request in progress. */
    public final LongAdder idleClosed = new LongAdder();
    /** 408: a request head not complete within requestHeadTimeout of its first byte; the connection is closed. */
    public final LongAdder requestHeadTimeouts = new LongAdder();
    /** 408 (or a close, once a response started): no request body byte within requestBodyIdleTimeout. */
    public final LongAdder requestBodyTimeouts = new LongAdder();
    /** Connections that switched protocols (101, WebSocket) and became a byte relay. */
    public final LongAdder upgraded = new LongAdder();
    /** Client connections served as h2c (HTTP/2 prior knowledge); their streams count as requests. */
    public final LongAdder h2Connections = new LongAdder();
    /** Rules that matched and drew an h2 stream but whose fault kind does not act on h2 (the stream passed). */
    public final LongAdder h2UnsupportedFaults = new LongAdder();

    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode()
                .put("requests", requests.sum())
                .put("forwarded", forwarded.sum())
                .put("answeredByFault", answeredByFault.sum())
                .put("droppedByFault", droppedByFault.sum())
                .put("badRequests", badRequests.sum())
                .put("uriTooLong", uriTooLong.sum())
                .put("headersTooLarge", headersTooLarge.sum())
                .put("unsupported", unsupported.sum())
                .put("badGateway", badGateway.sum())
                .put("gatewayTimeout", gatewayTimeout.sum())
                .put("idleClosed", idleClosed.sum())
                .put("requestHeadTimeouts", requestHeadTimeouts.sum())
                .put("requestBodyTimeouts", requestBodyTimeouts.sum())
                .put("upgraded", upgraded.sum())
                .put("h2Connections", h2Connections.sum())
                .put("h2UnsupportedFaults", h2UnsupportedFaults.sum());
    }
}
