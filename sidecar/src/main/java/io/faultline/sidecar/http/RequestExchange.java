package io.faultline.sidecar.http;

import io.faultline.sidecar.config.StreamDirection;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** One request on its way through the proxy: what the rules decided, and how far each direction got. */
final class RequestExchange implements HttpExchange {
    enum RequestStage { DECIDING, FORWARDING, DISCARDING, DONE }

    enum ResponseStage { WAITING, STREAMING, DONE }

    /** A local answer decided by a fault or by the proxy itself. */
    record Answer(HttpResponseStatus status, HttpHeaders headers, String body) {
    }

    final HttpRequest request;
    final RequestView view;
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
    Answer answer;
    boolean drop;
    boolean reset;
    long requestDelayNanos;
    long responseDelayNanos;
    boolean responseDelayServed;
    boolean responseHeld;
    final List<Consumer<HttpResponse>> responseEdits = new ArrayList<>(2);
    final List<BodyTransform> bodyTransforms = new ArrayList<>(1);
    private List<String> injectedRules = List.of();
    /** While a body transform collects the response: its head and the body so far. */
    HttpResponse heldHead;
    io.netty.buffer.CompositeByteBuf heldBody;
    HttpRules.Rule currentRule;
    ScheduledFuture<?> requestTimer;
    ScheduledFuture<?> responseTimer;
    ScheduledFuture<?> responseDelayTimer;
    /** slowBody: pacing of the request and response bodies (null: full speed). */
    BodyPacer requestPacer;
    BodyPacer responsePacer;

    RequestExchange(HttpProxyConnection connection, HttpRequest request) {
        this.connection = connection;
        this.request = request;
        this.view = new RequestView(request);
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
    public void injected() {
        currentRule.active().stats().injected.increment();
        if (injectedRules.isEmpty()) {
            injectedRules = new ArrayList<>(1);
        }
        if (!injectedRules.contains(currentRule.name())) {
            injectedRules.add(currentRule.name());
        }
    }

    @Override
    public List<String> injectedRules() {
        return injectedRules.isEmpty() ? List.of() : List.copyOf(injectedRules);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <S> S connectionState(Supplier<S> create) {
        Object key = List.of(currentRule.name(), currentRule.fault());
        return (S) connection.state().computeIfAbsent(key, k -> create.get());
    }

    @Override
    public <S> S ruleState(Supplier<S> create) {
        return currentRule.active().stats().sharedState(currentRule.fault(), create);
    }

    @Override
    public void respond(HttpResponseStatus status, HttpHeaders headers, String body) {
        if (!decided()) {
            answer = new Answer(status, headers, body == null ? "" : body);
        }
    }

    @Override
    public void drop() {
        if (!decided()) {
            drop = true;
        }
    }

    @Override
    public void reset() {
        if (!decided()) {
            reset = true;
        }
    }

    @Override
    public void delayRequest(long nanos) {
        requestDelayNanos += Math.max(0, nanos);
    }

    @Override
    public void delayResponse(long nanos) {
        responseDelayNanos += Math.max(0, nanos);
    }

    @Override
    public void onResponse(Consumer<HttpResponse> edit) {
        responseEdits.add(edit);
    }

    @Override
    public void transformResponseBody(BodyTransform transform) {
        bodyTransforms.add(transform);
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

    @Override
    public boolean decided() {
        return answer != null || drop || reset;
    }

    void cancelTimers() {
        for (ScheduledFuture<?> t : new ScheduledFuture<?>[] {requestTimer, responseTimer, responseDelayTimer}) {
            if (t != null) {
                t.cancel(false);
            }
        }
        requestTimer = null;
        responseTimer = null;
        responseDelayTimer = null;
        if (requestPacer != null) {
            requestPacer.cancel();
        }
        if (responsePacer != null) {
            responsePacer.cancel();
        }
    }
}
