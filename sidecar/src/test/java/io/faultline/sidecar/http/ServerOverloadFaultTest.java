package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.sidecar.config.ConfigException;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** serverOverload: the load functions, the sliding request rate and the triggers, in virtual time. */
class ServerOverloadFaultTest {
    private static final String GET = "GET /api/items HTTP/1.1\r\nHost: shop\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static ServerOverloadFault spec(String yaml) {
        return (ServerOverloadFault) EmbeddedHttpProxy.activeRules("[{name: o, serverOverload: " + yaml + "}]")
                .get(0).spec().fault();
    }

    @Test
    void theWorkedExampleOfTheDocumentation() {
        ServerOverloadFault f = spec("{capacity: 100, triggers: [{fromLoad: 40, toLoad: 70, delay: 200ms, percentage: 30},"
                + " {fromLoad: 70, toLoad: 100, status: 503, percentage: 50}]}");
        assertThat(f.load(50)).isCloseTo(41.42, within(0.01));
        assertThat(f.load(80)).isCloseTo(74.11, within(0.01));
        assertThat(f.load(48)).isLessThan(40);
        assertThat(f.load(100)).isEqualTo(100);
        assertThat(f.load(500)).isEqualTo(100);
        ServerOverloadFault plateau = spec("{capacity: 100, function: plateau, triggers: [{status: 503}]}");
        assertThat(plateau.load(50)).isEqualTo(50);
        assertThat(plateau.load(250)).isEqualTo(100);
    }

    @Test
    void loadGrowsWithTheRequestRateAndTriggersActInTheirRanges() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("""
                [{name: o, serverOverload: {capacity: 10, window: 1s, triggers: [
                   {fromLoad: 40, toLoad: 70, delay: 100ms},
                   {fromLoad: 70, toLoad: 100, status: 503}]}}]""", 1)) {
            // Rates 1..4 per second: loads 7, 15, 23, 32 -> untouched.
            for (int i = 1; i <= 4; i++) {
                p.send(GET);
                assertThat(p.upstreamReceived()).as("request %d", i).startsWith("GET");
                p.upstreamSends(OK);
                p.clientReceived();
            }
            // Rates 5..7: loads 41, 52, 62 -> delayed by 100 ms.
            for (int i = 5; i <= 7; i++) {
                p.send(GET);
                assertThat(p.upstreamReceived()).as("request %d", i).isEmpty();
                p.advance(100);
                assertThat(p.upstreamReceived()).as("request %d", i).startsWith("GET");
                p.upstreamSends(OK);
                p.clientReceived();
            }
            // Rate 8: load 74 -> 503 without the upstream.
            p.send(GET);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 503").contains("server overloaded (load 74)");
            assertThat(p.rule("o").injected.sum()).isEqualTo(4);
            // A quiet second later the load is low again.
            p.advance(1100);
            p.send(GET);
            assertThat(p.upstreamReceived()).startsWith("GET");
        }
    }

    @Test
    void percentageIsDrawnPerRequest() {
        // Huge capacity: the load stays near 0, inside the trigger's range, for every request.
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("""
                [{name: o, serverOverload: {capacity: 1000000, function: plateau,
                   triggers: [{fromLoad: 0, toLoad: 100, status: 503, percentage: 30}]}}]""", 99)) {
            int n = 2000;
            for (int i = 0; i < n; i++) {
                p.send(GET);
                if (!p.upstreamReceived().isEmpty()) {
                    p.upstreamSends(OK);
                }
                p.clientReceived();
            }
            double sigma = Math.sqrt(n * 0.3 * 0.7);
            assertThat((double) p.rule("o").injected.sum()).isBetween(n * 0.3 - 4.5 * sigma, n * 0.3 + 4.5 * sigma);
        }
    }

    @Test
    void badTriggersAreNamed() {
        for (var c : List.of(
                List.of("{triggers: [{status: 503}]}", "rules[0].serverOverload.capacity"),
                List.of("{capacity: 5}", "rules[0].serverOverload.triggers"),
                List.of("{capacity: 5, triggers: [{delay: 1s, status: 503}]}", "rules[0].serverOverload.triggers[0]"),
                List.of("{capacity: 5, triggers: [{fromLoad: 50, toLoad: 20, status: 503}]}",
                        "rules[0].serverOverload.triggers[0].toLoad"),
                List.of("{capacity: 5, function: cubic, triggers: [{status: 503}]}", "rules[0].serverOverload.function"))) {
            Assertions.assertThatThrownBy(() -> spec(c.get(0))).isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(c.get(1)));
        }
    }
}
