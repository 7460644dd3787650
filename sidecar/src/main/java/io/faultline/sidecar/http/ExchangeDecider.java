package io.faultline.sidecar.http;

import io.faultline.sidecar.http.RequestExchange.RequestStage;
import io.faultline.sidecar.http.RequestExchange.ResponseStage;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Decides each request's fate: evaluates the listener's rules in order (each with its probability),
 * waits out a request delay, then drops, resets, answers locally or has the request forwarded.
 * Also writes every local answer (faults, refusals, upstream errors).
 */
final class ExchangeDecider {
    private final HttpProxyConnection conn;
    private final Supplier<List<HttpRules.Rule>> rules;

    ExchangeDecider(HttpProxyConnection conn, Supplier<List<HttpRules.Rule>> rules) {
        this.conn = conn;
        this.rules = rules;
    }

    /** Runs the rules on a new request, then goes on at once or after the delay they asked for. */
    void decide(RequestExchange ex) {
        evaluateRules(ex);
        if (ex.requestDelayNanos > 0) {
            ex.requestTimer = conn.client.eventLoop().schedule(() -> {
                ex.requestTimer = null;
                proceed(ex);
            }, ex.requestDelayNanos, TimeUnit.NANOSECONDS);
        } else {
            proceed(ex);
        }
    }

    private void evaluateRules(RequestExchange ex) {
        HttpRules.evaluate(rules.get(), ex.view, conn.random(), ex, rule -> true, rule -> ex.currentRule = rule);
        ex.currentRule = null;
    }

    private void proceed(RequestExchange ex) {
        if (conn.closed || ex != conn.exchange) {
            return;
        }
        if (ex.drop || ex.reset) {
            conn.stats.droppedByFault.increment();
            if (ex.reset) {
                conn.reset();
            } else {
                conn.close();
            }
            return;
        }
        if (ex.answer != null) {
            conn.stats.answeredByFault.increment();
            answer(ex, ex.answer, false);
            return;
        }
        conn.upstream.forward(ex);
    }

    /** Whether {@code rule} (the same spec) is still among the listener's rules in force. */
    boolean inForce(HttpRules.Rule rule) {
        for (HttpRules.Rule current : rules.get()) {
            if (current == rule || current.active().spec().equals(rule.active().spec())) {
                return true;
            }
        }
        return false;
    }

    static RequestExchange.Answer plain(HttpResponseStatus status, String body) {
        return new RequestExchange.Answer(status, new DefaultHttpHeaders(), body);
    }

    /** Answers here instead of the upstream; the rest of the request body is read and discarded. */
    void answer(RequestExchange ex, RequestExchange.Answer answer, boolean mustClose) {
        if (conn.closed) {
            return;
        }
        if (ex.responseStage != ResponseStage.WAITING) {
            conn.close(); // part of another response is out already: closing is all that is left
            return;
        }
        ex.cancelTimers();
        if (ex.requestStage == RequestStage.FORWARDING) {
            conn.upstream.drop(); // it holds part of a request it will never complete
        }
        if (ex.requestStage != RequestStage.DONE) {
            ex.requestStage = RequestStage.DISCARDING;
        }
        // A client waiting for 100 Continue may never send the body: do not wait for it.
        boolean bodyMayNeverCome = ex.expectContinue && ex.requestStage != RequestStage.DONE;
        ex.closeAfter |= mustClose || bodyMayNeverCome;
        boolean head = ex.request != null && ex.request.method().equals(HttpMethod.HEAD);
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(),
                head || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        HttpHeaders h = response.headers();
        h.add(answer.headers());
        HopByHop.strip(h);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (body.length > 0 && !h.contains(HttpHeaderNames.CONTENT_TYPE)) {
            h.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        }
        setConnectionHeader(ex, h);
        conn.relay.writeLocalAnswer(ex, response);
        if (ex.closeAfter && ex.requestStage != RequestStage.DONE) {
            conn.closeAfterWrites();
            return;
        }
        conn.finishIfComplete(ex);
        conn.intake.drain(); // the rest of the request body is read and discarded
    }

    static void setConnectionHeader(RequestExchange ex, HttpHeaders h) {
        if (ex.closeAfter) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (ex.http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
