package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a request that rules match on, decoded lazily, once per URI: a rule after a
 * {@code rewrite} sees the rewritten request (as rules after {@code headers} see the edited headers).
 */
final class RequestView {
    private final HttpRequest request;
    private String path;
    private String decodedUri;
    private Map<String, List<String>> query;

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
        if (query == null || decodedUri != request.uri()) {
            decode();
        }
        return query;
    }

    /** The Host header, lower-cased, without its port. */
    String host() {
        String host = request.headers().get(HttpHeaderNames.HOST, "");
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(']') < colon) {
            host = host.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    private void decode() {
        String uri = request.uri();
        decodedUri = uri;
        int scheme = uri.indexOf("://");
        if (scheme > 0 && scheme < 8) {
            int slash = uri.indexOf('/', scheme + 3);
            uri = slash < 0 ? "/" : uri.substring(slash);
        }
        try {
            QueryStringDecoder d = new QueryStringDecoder(uri);
            path = d.path();
            query = d.parameters();
        } catch (IllegalArgumentException e) {
            // Broken percent-encoding: match on the raw text rather than refuse to forward.
            int q = uri.indexOf('?');
            path = q < 0 ? uri : uri.substring(0, q);
            query = Map.of();
        }
    }
}
