package io.faultline.sidecar.http.h2;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Between HTTP/2 header blocks and the HTTP/1.1 heads the rules and faults work on: a request's
 * pseudo-headers become method, path and Host; what a fault edited goes back as HTTP/2 headers,
 * without the connection-specific headers HTTP/2 forbids (RFC 9113 §8.2.2).
 */
final class H2Headers {
    /** The version the request views carry (recordings show it; nothing else reads it). */
    static final HttpVersion HTTP_2 = new HttpVersion("HTTP", 2, 0, true);
    private static final Set<String> CONNECTION_SPECIFIC = Set.of(
            "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

    private H2Headers() {
    }

    /** The request as rules see it; Host comes from :authority when the client sent no host header. */
    static HttpRequest requestView(Http2Headers h2) {
        CharSequence method = h2.method();
        CharSequence path = h2.path();
        HttpHeaders headers = new DefaultHttpHeaders();
        copyRegular(h2, headers);
        if (!headers.contains("host") && h2.authority() != null) {
            headers.set("host", h2.authority());
        }
        return new DefaultHttpRequest(HTTP_2,
                HttpMethod.valueOf(method == null ? "GET" : method.toString()),
                path == null ? "/" : path.toString(), headers);
    }

    /**
     * The request headers to forward after faults edited {@code view}: the original pseudo-headers
     * with :method and :path as rewritten, and the edited regular headers.
     */
    static Http2Headers forwardedRequest(Http2Headers original, HttpRequest view) {
        Http2Headers out = new DefaultHttp2Headers(false);
        copyPseudo(original, out);
        if (original.method() != null && !view.method().asciiName().contentEquals(original.method())) {
            out.method(view.method().asciiName());
        }
        if (original.path() != null && !view.uri().contentEquals(original.path())) {
            out.path(view.uri());
        }
        boolean hostFromAuthority = !original.contains("host");
        for (Map.Entry<String, String> e : view.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!(hostFromAuthority && name.equals("host"))) {
                addRegular(out, name, e.getValue());
            }
        }
        return out;
    }

    /** A response head that response edits can work on. */
    static HttpResponse responseView(Http2Headers h2) {
        HttpHeaders headers = new DefaultHttpHeaders();
        copyRegular(h2, headers);
        HttpResponseStatus status = HttpResponseStatus.valueOf(h2.status() == null ? 200
                : AsciiString.of(h2.status()).parseInt());
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers);
    }

    /** The response headers after edits: :status from the edited head, regular headers from it too. */
    static Http2Headers fromResponse(HttpResponse response) {
        Http2Headers out = new DefaultHttp2Headers(false).status(response.status().codeAsText());
        for (Map.Entry<String, String> e : response.headers()) {
            addRegular(out, e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        return out;
    }

    static boolean isGrpc(Http2Headers request) {
        CharSequence type = request.get("content-type");
        return type != null && AsciiString.of(type).toLowerCase().startsWith("application/grpc");
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2 spec): everything outside 0x20-0x7E, and '%'. */
    static String percentEncodeGrpcMessage(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static void copyPseudo(Http2Headers from, Http2Headers to) {
        for (Map.Entry<CharSequence, CharSequence> e : from) {
            if (e.getKey().length() > 0 && e.getKey().charAt(0) == ':') {
                to.add(e.getKey(), e.getValue());
            }
        }
    }

    private static void copyRegular(Http2Headers from, HttpHeaders to) {
        for (Map.Entry<CharSequence, CharSequence> e : from) {
            if (e.getKey().length() > 0 && e.getKey().charAt(0) != ':') {
                to.add(e.getKey(), e.getValue());
            }
        }
    }

    static void addRegular(Http2Headers out, String lowerName, String value) {
        if (CONNECTION_SPECIFIC.contains(lowerName)
                || (lowerName.equals("te") && !value.trim().equalsIgnoreCase("trailers"))) {
            return;
        }
        out.add(lowerName, value);
    }
}
