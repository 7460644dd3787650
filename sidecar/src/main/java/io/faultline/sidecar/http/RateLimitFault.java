package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Set;

/**
 * rateLimit: Proxy42's model, a token bucket shared by every connection of the rule. It holds
 * {@code burst} tokens (default {@code requests}) and refills {@code requests} tokens per
 * {@code period} (default 1s). A selected request takes a token and goes on, its response carrying
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset}; with no token left it
 * is answered 429 here, with the same headers and {@code Retry-After}.
 *
 * <p>Header values: Limit = {@code requests}; Remaining = whole tokens left; Reset = seconds until
 * the bucket is full again; Retry-After = seconds until the next token (at least 1). Seconds round up.
 */
public record RateLimitFault(long requests, Duration period, long burst) implements HttpFault {

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "rateLimit";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("requests", "period", "burst"));
            if (!node.has("requests")) {
                throw node.error("requests", "required; expected how many requests per period pass (1 or more)");
            }
            long requests = node.integer("requests", 1, 1, 1_000_000_000);
            Duration period = node.duration("period", Duration.ofSeconds(1));
            if (period.toMillis() < 1) {
                throw node.error("period", "must be at least 1ms");
            }
            return new RateLimitFault(requests, period, node.integer("burst", requests, 1, 1_000_000_000));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode()
                .put("requests", requests)
                .put("period", Durations.format(period))
                .put("burst", burst);
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        Bucket bucket = exchange.ruleState(() -> new Bucket(burst));
        Decision d = bucket.take(exchange.nanoTime(), (double) requests / period.toNanos(), burst);
        if (d.allowed) {
            exchange.onResponse(r -> d.addHeaders(r.headers(), requests));
            return;
        }
        HttpHeaders h = new DefaultHttpHeaders();
        d.addHeaders(h, requests);
        h.set("retry-after", String.valueOf(d.retryAfterSeconds));
        exchange.injected();
        exchange.respond(HttpResponseStatus.TOO_MANY_REQUESTS, h, "rate limit exceeded\n");
    }

    /** The outcome of one take, with what the headers report. */
    record Decision(boolean allowed, long remaining, long resetSeconds, long retryAfterSeconds) {
        void addHeaders(HttpHeaders h, long limit) {
            h.set("ratelimit-limit", String.valueOf(limit));
            h.set("ratelimit-remaining", String.valueOf(remaining));
            h.set("ratelimit-reset", String.valueOf(resetSeconds));
        }
    }

    /** Token bucket; synchronized because connections on every event loop share it. */
    static final class Bucket {
        private double tokens;
        private long updatedAt;
        private boolean started;

        Bucket(long burst) {
            this.tokens = burst;
        }

        synchronized Decision take(long now, double tokensPerNano, long capacity) {
            if (!started) {
                started = true;
                updatedAt = now;
            }
            tokens = Math.min(capacity, tokens + Math.max(0, now - updatedAt) * tokensPerNano);
            updatedAt = now;
            boolean allowed = tokens >= 1.0;
            if (allowed) {
                tokens -= 1.0;
            }
            long reset = secondsUp((capacity - tokens) / tokensPerNano);
            long retry = Math.max(1, secondsUp((1.0 - tokens) / tokensPerNano));
            return new Decision(allowed, (long) Math.floor(tokens), reset, retry);
        }

        private static long secondsUp(double nanos) {
            return nanos <= 0 ? 0 : (long) Math.ceil(nanos / 1e9);
        }
    }
}
