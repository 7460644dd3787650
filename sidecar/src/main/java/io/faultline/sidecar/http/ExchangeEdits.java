package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The per-rule bookkeeping every {@link HttpExchange} shares, HTTP/1.1 request or h2 stream: the
 * rule being evaluated, the rules that injected, and what they decided (a local answer, drop,
 * reset, delays, response head edits, body transforms). The protocol side reads the decisions and
 * acts on them; {@link #paceBody} is its own.
 */
public abstract class ExchangeEdits implements HttpExchange {
    /** A local answer decided by a fault or by the proxy itself. */
    public record Answer(HttpResponseStatus status, HttpHeaders headers, String body) {
    }

    HttpRules.Rule currentRule;
    private HttpRules.Rule decidedBy;
    Answer answer;
    boolean drop;
    boolean reset;
    long requestDelayNanos;
    long responseDelayNanos;
    /** Filled only when a rule asks (most exchanges have none: no list is allocated for them). */
    List<Consumer<HttpResponse>> responseEdits = List.of();
    List<BodyTransform> bodyTransforms = List.of();
    private List<String> injectedRules = List.of();

    /** This connection's per-rule fault state ({@link #connectionState}). */
    protected abstract Map<Object, Object> connectionStates();

    /** The rule being evaluated ({@link HttpRules#evaluate}'s {@code acting}); null once evaluation ended. */
    public final void acting(HttpRules.Rule rule) {
        currentRule = rule;
    }

    /** The rule being evaluated, or null. */
    protected final HttpRules.Rule currentRule() {
        return currentRule;
    }

    @Override
    public final void injected() {
        currentRule.active().stats().injected.increment();
        if (injectedRules.isEmpty()) {
            injectedRules = new ArrayList<>(1);
        }
        if (!injectedRules.contains(currentRule.name())) {
            injectedRules.add(currentRule.name());
        }
    }

    @Override
    public final List<String> injectedRules() {
        return injectedRules.isEmpty() ? List.of() : List.copyOf(injectedRules);
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <S> S connectionState(Supplier<S> create) {
        Object key = List.of(currentRule.name(), currentRule.fault());
        return (S) connectionStates().computeIfAbsent(key, k -> create.get());
    }

    @Override
    public final <S> S ruleState(Supplier<S> create) {
        return currentRule.active().stats().sharedState(currentRule.fault(), create);
    }

    @Override
    public final void respond(HttpResponseStatus status, HttpHeaders headers, String body) {
        if (!decided()) {
            answer = new Answer(status, headers, body == null ? "" : body);
            decidedBy = currentRule;
        }
    }

    @Override
    public final void drop() {
        if (!decided()) {
            drop = true;
            decidedBy = currentRule;
        }
    }

    @Override
    public final void reset() {
        if (!decided()) {
            reset = true;
            decidedBy = currentRule;
        }
    }

    @Override
    public final void delayRequest(long nanos) {
        requestDelayNanos += Math.max(0, nanos);
    }

    @Override
    public final void delayResponse(long nanos) {
        responseDelayNanos += Math.max(0, nanos);
    }

    @Override
    public final void onResponse(Consumer<HttpResponse> edit) {
        if (responseEdits.isEmpty()) {
            responseEdits = new ArrayList<>(2);
        }
        responseEdits.add(edit);
    }

    @Override
    public final void transformResponseBody(BodyTransform transform) {
        if (bodyTransforms.isEmpty()) {
            bodyTransforms = new ArrayList<>(1);
        }
        bodyTransforms.add(transform);
    }

    @Override
    public final boolean decided() {
        return answer != null || drop || reset;
    }

    /** The local answer decided, or null. */
    public final Answer answer() {
        return answer;
    }

    /** The rule that answered, dropped or reset, or null (none did, or the proxy decided outside rule evaluation). */
    public final HttpRules.Rule decidedBy() {
        return decidedBy;
    }

    public final boolean dropRequested() {
        return drop;
    }

    public final boolean resetRequested() {
        return reset;
    }

    public final long requestDelayNanos() {
        return requestDelayNanos;
    }

    public final long responseDelayNanos() {
        return responseDelayNanos;
    }

    /** The response head edits, in rule order (empty for most exchanges). */
    public final List<Consumer<HttpResponse>> responseEdits() {
        return responseEdits;
    }

    /** The response body transforms, in rule order. */
    public final List<BodyTransform> bodyTransforms() {
        return bodyTransforms;
    }
}
