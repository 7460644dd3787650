package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.util.function.BooleanSupplier;

/**
 * Decodes the upstream's responses. Unlike HttpClientCodec, which pairs responses with the requests
 * it encoded and loses count on informational answers other than 100 (103 Early Hints), this asks
 * the connection whether the request in flight is a HEAD: one request at a time makes that exact.
 */
final class UpstreamResponseDecoder extends HttpResponseDecoder {
    private final BooleanSupplier headInFlight;

    UpstreamResponseDecoder(HttpDecoderConfig config, BooleanSupplier headInFlight) {
        super(config);
        this.headInFlight = headInFlight;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        // Informational answers are empty whatever the method; a HEAD's final answer has no body.
        return super.isContentAlwaysEmpty(msg) || headInFlight.getAsBoolean();
    }
}
