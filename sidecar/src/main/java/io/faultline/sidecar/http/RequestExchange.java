package io.faultline.sidecar.http;

import io.faultline.sidecar.config.StreamDirection;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.SplittableRandom;

/** One request on its way through the proxy: what the rules decided, and how far each direction got. */
final class RequestExchange extends ExchangeEdits {
    enum RequestStage { DECIDING, FORWARDING, DISCARDING, DONE }

    enum ResponseStage { WAITING, STREAMING, DONE }

    final HttpRequest request;
    final RequestView view;
    /** The client's method was HEAD (a rewrite may change what goes upstream, not what the client expects). */
    final boolean clientSentHead;
    private final HttpProxyConnection connection;
    RequestStage requestStage = RequestStage.DECIDING;
    ResponseStage responseStage = ResponseStage.WAITING;
    boolean closeAfter;
    boolean http10;
    boolean expectContinue;
    /** The upstream's 100 Continue reached the client (which sends its body only then). */
    boolean continueRelayed;
    boolean upstreamWillClose;
    /** The request asked the upstream to switch protocols (Upgrade), and may: a 101 hands the connection over. */
    boolean upgradeRequested;
    boolean responseDelayServed;
    boolean responseHeld;
    /** While a body transform collects the response: its head and the body so far. */
    HttpResponse heldHead;
    io.netty.buffer.CompositeByteBuf heldBody;
    ScheduledFuture<?> requestTimer;
    ScheduledFuture<?> responseDelayTimer;
    /** slowBody: pacing of the request and response bodies (null: full speed). */
    BodyPacer requestPacer;
    BodyPacer responsePacer;

    RequestExchange(HttpProxyConnection connection, HttpRequest request) {
        this.connection = connection;
        this.request = request;
        this.view = new RequestView(request);
        this.clientSentHead = request != null && request.method().equals(io.netty.handler.codec.http.HttpMethod.HEAD);
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public SplittableRandom random() {
        return connection.random();
    }

    @Override
    public long nanoTime() {
        return connection.nanoTime();
    }

    @Override
    protected Map<Object, Object> connectionStates() {
        return connection.state();
    }

    @Override
    public void paceBody(long bytesPerSecond) {
        HttpRules.Rule rule = currentRule;
        StreamDirection stream = rule.active().spec().stream();
        if (stream.covers(StreamDirection.DOWNSTREAM) && responsePacer == null) {
            responsePacer = new BodyPacer(bytesPerSecond, connection.client.eventLoop(),
                    () -> connection.decider.inForce(rule), () -> !connection.closed);
        }
        if (stream.covers(StreamDirection.UPSTREAM) && requestPacer == null) {
            requestPacer = new BodyPacer(bytesPerSecond, connection.client.eventLoop(),
                    () -> requestStage == RequestStage.FORWARDING && connection.decider.inForce(rule),
                    () -> !connection.closed);
        }
    }

    /** Whether a body part of this direction is being paced out: nothing more of it is read meanwhile. */
    boolean pacingRequest() {
        return requestPacer != null && requestPacer.busy();
    }

    boolean pacingResponse() {
        return responsePacer != null && responsePacer.busy();
    }

    void releaseHeldBody() {
        if (heldBody != null) {
            heldBody.release();
            heldBody = null;
        }
        heldHead = null;
    }

    void cancelTimers() {
        // The response timeout is the connection's (UpstreamLink): it checks the exchange when it fires.
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
        if (responseDelayTimer != null) {
            responseDelayTimer.cancel(false);
            responseDelayTimer = null;
        }
        if (requestPacer != null) {
            requestPacer.cancel();
        }
        if (responsePacer != null) {
            responsePacer.cancel();
        }
    }
}
