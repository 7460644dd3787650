package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.util.function.BooleanSupplier;

/**
 * Encodes the responses to the client. Unlike HttpServerCodec, whose encoder learns each request's
 * method from its decoder through a queue (and whose two halves add a delegating hop to every read
 * and write), this asks the connection whether the request being answered is a HEAD: one request at
 * a time makes that exact, and it is the method the client sent, whatever a rewrite sent upstream.
 */
final class ClientResponseEncoder extends HttpResponseEncoder {
    private final BooleanSupplier answeringHead;

    ClientResponseEncoder(BooleanSupplier answeringHead) {
        this.answeringHead = answeringHead;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return answeringHead.getAsBoolean() || super.isContentAlwaysEmpty(msg);
    }
}
