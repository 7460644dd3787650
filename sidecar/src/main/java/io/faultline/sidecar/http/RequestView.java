package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a request that rules match on, decoded lazily, once per URI (not per rule): a rule
 * after a {@code rewrite} sees the rewritten request (as rules after {@code headers} see the edited headers).
 */
final class RequestView {
    private final HttpRequest request;
    private String path;
    private String decodedUri;
    private QueryStringDecoder decoder;
    private Map<String, List<String>> query;
    private String host;

    RequestView(HttpRequest request) {
        this.request = request;
    }

    HttpRequest request() {
        return request;
    }

    String method() {
        return request.method().name();
    }

    /** The percent-decoded path without the query; absolute-form URIs (http://host/path) give their path. */
    String path() {
        if (path == null || decodedUri != request.uri()) {
            decode();
        }
        return path;
    }

    Map<String, List<String>> query() {
        if (path == null || decodedUri != request.uri()) {
            decode();
        }
        if (query == null) {
            try {
                query = decoder.parameters(); // only rules with query conditions pay for this
            } catch (IllegalArgumentException e) {
                query = Map.of(); // broken percent-encoding in the query: no parameters to match
            }
        }
        return query;
    }

    /** The Host header, lower-cased, without its port. */
    String host() {
        if (host == null) {
            String h = request.headers().get(HttpHeaderNames.HOST, "");
            int colon = h.lastIndexOf(':');
            if (colon >= 0 && h.indexOf(']') < colon) {
                h = h.substring(0, colon);
            }
            host = h.toLowerCase(Locale.ROOT);
        }
        return host;
    }

    /** The path's first segment (between the first two '/'; "" for "/"), or null for a path without a leading '/'. */
    String firstPathSegment() {
        String p = path();
        if (p.isEmpty() || p.charAt(0) != '/') {
            return null;
        }
        int slash = p.indexOf('/', 1);
        return p.substring(1, slash < 0 ? p.length() : slash);
    }

    /** The host's first label (up to the first '.'; all of it without a '.'), lower case. */
    String firstHostLabel() {
        String h = host();
        int dot = h.indexOf('.');
        return dot < 0 ? h : h.substring(0, dot);
    }

    /** Whether the request has a query string at all (without one, no parameter is present). */
    boolean hasQuery() {
        return request.uri().indexOf('?') >= 0;
    }

    private void decode() {
        String uri = request.uri();
        decodedUri = uri;
        decoder = null;
        query = null;
        int scheme = uri.indexOf("://");
        if (scheme > 0 && scheme < 8) {
            int slash = uri.indexOf('/', scheme + 3);
            uri = slash < 0 ? "/" : uri.substring(slash);
        }
        try {
            QueryStringDecoder d = new QueryStringDecoder(uri);
            path = d.path();
            decoder = d;
        } catch (IllegalArgumentException e) {
            // Broken percent-encoding: match on the raw text rather than refuse to forward.
            int q = uri.indexOf('?');
            path = q < 0 ? uri : uri.substring(0, q);
            query = Map.of();
        }
    }
}
