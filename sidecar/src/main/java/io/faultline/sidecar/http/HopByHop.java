package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;

/** Hop-by-hop headers (RFC 9110 §7.6.1) end at the proxy; framing headers stay, the codecs re-frame with them. */
final class HopByHop {
    private static final List<String> ALWAYS = List.of("keep-alive", "proxy-connection", "te", "upgrade");

    private HopByHop() {
    }

    static void strip(HttpHeaders headers) {
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
        ALWAYS.forEach(headers::remove);
    }
}
