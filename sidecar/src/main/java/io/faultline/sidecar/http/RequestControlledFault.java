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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Set;

/**
 * requestControlled: tagged test traffic carries its own faults. A request whose
 * {@code x-faultline-secret} header hashes (SHA-256) to {@code secretSha256} may ask for {@code x-faultline-delay: 200ms}
 * (held before forwarding, at most {@code maxDelay}) and/or {@code x-faultline-abort: 503} (answered
 * here). Every {@code x-faultline-*} header is removed before the request goes upstream, with or
 * without the right secret; a request without the secret is otherwise untouched. Off unless a rule
 * with this fault exists. Only the hash is configured, so GET /v1/config never shows the secret
 * ({@code printf %s "$SECRET" | sha256sum}).
 */
public record RequestControlledFault(String secretSha256, Duration maxDelay) implements HttpFault {
    static final String SECRET = "x-faultline-secret";
    static final String DELAY = "x-faultline-delay";
    static final String ABORT = "x-faultline-abort";

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "requestControlled";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("secretSha256", "maxDelay"));
            String hash = node.requiredString("secretSha256", "the SHA-256 of the shared secret, 64 hex digits")
                    .trim().toLowerCase(java.util.Locale.ROOT);
            if (!hash.matches("[0-9a-f]{64}")) {
                throw node.error("secretSha256", "expected 64 hex digits (printf %s \"$SECRET\" | sha256sum)");
            }
            return new RequestControlledFault(hash, node.duration("maxDelay", Duration.ofSeconds(30)));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("secretSha256", secretSha256)
                .put("maxDelay", Durations.format(maxDelay));
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        HttpHeaders h = exchange.request().headers();
        String given = h.get(SECRET);
        String delay = h.get(DELAY);
        String abort = h.get(ABORT);
        for (String name : h.names().toArray(new String[0])) {
            if (name.regionMatches(true, 0, "x-faultline-", 0, 12)) {
                h.remove(name);
            }
        }
        if (given == null || !MessageDigest.isEqual(sha256(given).getBytes(StandardCharsets.US_ASCII),
                secretSha256.getBytes(StandardCharsets.US_ASCII))) {
            return;
        }
        if (delay != null) {
            try {
                long nanos = Math.min(Durations.parse(delay.trim()).toNanos(), maxDelay.toNanos());
                exchange.injected();
                exchange.delayRequest(Math.max(0, nanos));
            } catch (IllegalArgumentException ignored) {
                // a malformed value asks for nothing
            }
        }
        if (abort != null) {
            try {
                int status = Integer.parseInt(abort.trim());
                if (status >= 200 && status <= 599) {
                    exchange.injected();
                    exchange.respond(HttpResponseStatus.valueOf(status), new DefaultHttpHeaders(),
                            "injected by request\n");
                }
            } catch (NumberFormatException ignored) {
                // a malformed value asks for nothing
            }
        }
    }

    static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
