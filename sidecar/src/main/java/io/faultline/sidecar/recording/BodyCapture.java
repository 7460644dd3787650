package io.faultline.sidecar.recording;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** Copies the first {@code limit} bytes of a body (never keeps a buffer) and counts all of them. */
final class BodyCapture {
    private final int limit;
    private byte[] bytes = new byte[0];
    private int length;
    private long size;

    BodyCapture(int limit) {
        this.limit = limit;
    }

    void add(ByteBuf content) {
        int n = content.readableBytes();
        size += n;
        int take = Math.min(n, limit - length);
        if (take <= 0) {
            return;
        }
        if (length + take > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(length + take, Math.max(256, bytes.length * 2))));
        }
        content.getBytes(content.readerIndex(), bytes, length, take);
        length += take;
    }

    RecordedExchange.Body toBody() {
        return new RecordedExchange.Body(size, limit == 0 ? null : Arrays.copyOf(bytes, length));
    }
}
