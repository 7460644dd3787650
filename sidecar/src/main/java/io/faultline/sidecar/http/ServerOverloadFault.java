package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * serverOverload: HeliosBurn's model of a server that degrades as its load grows. The rule counts
 * the requests it selects over the last {@code window} (all connections together); that request
 * rate r gives a load between 0 and 100:
 * <ul>
 *   <li>{@code exponential}: load = 100 × (2^(r / capacity) − 1), capped at 100: slow at first,
 *       then steep, 100 at r = capacity;</li>
 *   <li>{@code plateau}: load = 100 × r / capacity, capped at 100 (linear up to the plateau).</li>
 * </ul>
 * The first trigger whose range {@code [fromLoad, toLoad)} holds the load acts on the request with
 * {@code percentage} % chance: a {@code delay} or an answer with {@code status} (503 by default).
 *
 * <p>Worked example: capacity 100, exponential, window 1s, triggers {40-70: delay 200ms, 30 %} and
 * {70-100: status 503, 50 %}. At 50 requests/s the load is 100 × (2^0.5 − 1) = 41.4: 30 % of requests
 * wait 200 ms. At 80 requests/s it is 100 × (2^0.8 − 1) = 74.1: half of them get 503. Below
 * 49 requests/s (load under 40) nothing happens.
 */
public record ServerOverloadFault(double capacity, Function function, Duration window, List<Trigger> triggers)
        implements HttpFault {
    private static final int SLOTS = 20;

    public enum Function {
        EXPONENTIAL, PLATEAU;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A load range and what happens there: a delay or a status, to {@code percentage} % of requests. */
    public record Trigger(double fromLoad, double toLoad, Duration delay, Integer status, double percentage) {
        boolean holds(double load) {
            return load >= fromLoad && (load < toLoad || (toLoad >= 100 && load >= 100));
        }

        ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode().put("fromLoad", fromLoad).put("toLoad", toLoad);
            if (delay != null) {
                n.put("delay", Durations.format(delay));
            } else {
                n.put("status", status);
            }
            return n.put("percentage", percentage);
        }
    }

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "serverOverload";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("capacity", "function", "window", "triggers"));
            if (!node.has("capacity")) {
                throw node.error("capacity", "required; expected the request rate (per second) at which the load reaches 100");
            }
            double capacity = node.number("capacity", 1, 0.001, 1e9);
            Duration window = node.duration("window", Duration.ofSeconds(1));
            if (window.toMillis() < 10) {
                throw node.error("window", "must be at least 10ms");
            }
            List<Trigger> triggers = new ArrayList<>();
            for (ConfigNode t : node.list("triggers")) {
                t.allowOnly(Set.of("fromLoad", "toLoad", "delay", "status", "percentage"));
                double from = t.number("fromLoad", 0, 0, 100);
                double to = t.number("toLoad", 100, 0, 100);
                if (to <= from) {
                    throw t.error("toLoad", "must be greater than fromLoad (" + from + ")");
                }
                if (t.has("delay") == t.has("status")) {
                    throw t.error(null, "give exactly one of delay (a duration) or status (an HTTP status)");
                }
                triggers.add(new Trigger(from, to, t.has("delay") ? t.duration("delay", null) : null,
                        t.has("status") ? (int) t.integer("status", 503, 400, 599) : null,
                        t.number("percentage", 100, 0, 100)));
            }
            if (triggers.isEmpty()) {
                throw node.error("triggers", "required; expected a list of {fromLoad, toLoad, delay | status, percentage}");
            }
            return new ServerOverloadFault(capacity, node.enumValue("function", Function.class, Function.EXPONENTIAL),
                    window, List.copyOf(triggers));
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode()
                .put("capacity", capacity)
                .put("function", function.toString())
                .put("window", Durations.format(window));
        ArrayNode list = n.putArray("triggers");
        triggers.forEach(t -> list.add(t.toJson()));
        return n;
    }

    /** The load (0-100) at a request rate (per second). */
    public double load(double rate) {
        double x = rate / capacity;
        double load = function == Function.EXPONENTIAL ? 100 * (Math.pow(2, x) - 1) : 100 * x;
        return Math.max(0, Math.min(100, load));
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        RateWindow rates = exchange.ruleState(() -> new RateWindow(window.toNanos()));
        double load = load(rates.recordAndRate(exchange.nanoTime()));
        for (Trigger t : triggers) {
            if (!t.holds(load)) {
                continue;
            }
            if (t.percentage < 100 && exchange.random().nextDouble() * 100 >= t.percentage) {
                return;
            }
            exchange.injected();
            if (t.delay != null) {
                exchange.delayRequest(t.delay.toNanos());
            } else {
                exchange.respond(HttpResponseStatus.valueOf(t.status), new DefaultHttpHeaders(),
                        "server overloaded (load " + Math.round(load) + ")\n");
            }
            return;
        }
    }

    /** Requests over the last window, in slots; synchronized because every connection of the rule shares it. */
    static final class RateWindow {
        private final long slotNanos;
        private final long[] slotIndex = new long[SLOTS];
        private final long[] slotCount = new long[SLOTS];

        RateWindow(long windowNanos) {
            this.slotNanos = Math.max(1, windowNanos / SLOTS);
            java.util.Arrays.fill(slotIndex, Long.MIN_VALUE);
        }

        /** Counts a request at {@code now} and returns the rate (per second) over the window ending now. */
        synchronized double recordAndRate(long now) {
            long slot = Math.floorDiv(now, slotNanos);
            int i = (int) Math.floorMod(slot, (long) SLOTS);
            if (slotIndex[i] != slot) {
                slotIndex[i] = slot;
                slotCount[i] = 0;
            }
            slotCount[i]++;
            long sum = 0;
            for (int j = 0; j < SLOTS; j++) {
                if (slotIndex[j] != Long.MIN_VALUE && slot - slotIndex[j] < SLOTS) {
                    sum += slotCount[j];
                }
            }
            return sum * 1e9 / (slotNanos * SLOTS);
        }
    }
}
