package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Locale;

/** Hop-by-hop headers (RFC 9110 §7.6.1) end at the proxy; framing headers stay, the codecs re-frame with them. */
final class HopByHop {
    // AsciiString names: their case-insensitive hash is computed once, not on every request.
    private static final AsciiString[] ALWAYS = {HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
        HttpHeaderNames.TE, HttpHeaderNames.UPGRADE, AsciiString.cached("http2-settings")};

    private HopByHop() {
    }

    /** For a 101: its Upgrade and Connection: upgrade are what the client needs; the rest goes. */
    static void stripKeepingUpgrade(HttpHeaders headers) {
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        strip(headers);
        if (upgrade != null) {
            headers.set(HttpHeaderNames.UPGRADE, upgrade);
        }
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }

    /**
     * The protocols of a request's Upgrade header that may go upstream: all but {@code h2c}, or null.
     * An {@code Upgrade: h2c} (RFC 7540 §3.2) is declined, so the request goes on as HTTP/1.1: accepted,
     * it would turn the connection into an opaque tunnel where no http rule acts any more; clients that
     * want HTTP/2 get it with prior knowledge or, over TLS, by ALPN.
     */
    static String upgradeWithoutH2c(String upgrade) {
        if (upgrade == null) {
            return null;
        }
        StringBuilder kept = new StringBuilder();
        for (String token : upgrade.split(",")) {
            String protocol = token.trim();
            if (!protocol.isEmpty() && !protocol.equalsIgnoreCase("h2c")) {
                kept.append(kept.length() == 0 ? "" : ", ").append(protocol);
            }
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    static void strip(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                for (String token : value.split(",")) {
                    String name = token.trim().toLowerCase(Locale.ROOT);
                    if (!name.isEmpty() && !name.equals("content-length") && !name.equals("transfer-encoding")
                            && !name.equals("host")) {
                        headers.remove(name);
                    }
                }
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        for (AsciiString name : ALWAYS) {
            headers.remove(name);
        }
    }
}
