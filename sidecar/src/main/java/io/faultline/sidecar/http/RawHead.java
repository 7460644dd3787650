package io.faultline.sidecar.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A response head as HTTP/1.1 bytes, for heads that must not pass the server codec's encoder (1xx, 101). */
final class RawHead {
    private RawHead() {
    }

    static ByteBuf encode(ByteBufAllocator alloc, HttpResponse head) {
        StringBuilder sb = new StringBuilder(128).append("HTTP/1.1 ").append(head.status().code()).append(' ')
                .append(head.status().reasonPhrase()).append("\r\n");
        for (Map.Entry<String, String> h : head.headers()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("\r\n");
        ByteBuf buf = alloc.buffer(sb.length());
        buf.writeCharSequence(sb, StandardCharsets.ISO_8859_1);
        return buf;
    }
}
