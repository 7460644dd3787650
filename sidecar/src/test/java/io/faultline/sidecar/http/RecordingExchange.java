package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** A minimal exchange for rule-evaluation tests: records which rules acted and whether one decided; answers nothing. */
final class RecordingExchange implements HttpExchange {
    final HttpRequest request;
    final SplittableRandom random;
    final List<String> acted = new ArrayList<>();
    boolean decided;

    RecordingExchange(HttpRequest request, long seed) {
        this.request = request;
        this.random = new SplittableRandom(seed);
    }

    void acting(HttpRules.Rule rule) {
        acted.add(rule.name());
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public SplittableRandom random() {
        return random;
    }

    @Override
    public long nanoTime() {
        return 0;
    }

    @Override
    public void injected() {
    }

    @Override
    public List<String> injectedRules() {
        return acted;
    }

    @Override
    public <S> S connectionState(Supplier<S> create) {
        return create.get();
    }

    @Override
    public <S> S ruleState(Supplier<S> create) {
        return create.get();
    }

    @Override
    public void respond(HttpResponseStatus status, HttpHeaders headers, String body) {
        decided = true;
    }

    @Override
    public void drop() {
        decided = true;
    }

    @Override
    public void reset() {
        decided = true;
    }

    @Override
    public void delayRequest(long nanos) {
    }

    @Override
    public void delayResponse(long nanos) {
    }

    @Override
    public void onResponse(Consumer<HttpResponse> edit) {
    }

    @Override
    public void transformResponseBody(BodyTransform transform) {
    }

    @Override
    public void paceBody(long bytesPerSecond) {
    }

    @Override
    public boolean decided() {
        return decided;
    }
}
