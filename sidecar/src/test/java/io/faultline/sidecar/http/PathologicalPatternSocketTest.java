package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.engine.Engine;
import io.faultline.sidecar.proxy.Transport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Patterns that take a backtracking engine minutes per request ({@code /(a+)+$} against a 30-character path froze an
 * event loop, and every connection on it, for over a minute) are matched in linear time: on a sidecar with a single
 * event loop, requests that hit them are answered while other connections, on another listener of the same loop,
 * are served throughout. Clients wait at most 10 s per response (a backtracking engine needs 2^30 steps for one).
 */
class PathologicalPatternSocketTest {
    private static final String EVIL_PATH = "/" + "a".repeat(30) + "!";
    private static final String EVIL_HEADER = "a".repeat(30) + "!";
    /** The request line limit is 8 KiB: a path that nearly fills it. */
    private static final String LONG_PATH = "/" + "a".repeat(7999) + "!";

    private TestHttpUpstream upstream;
    private Engine engine;

    @BeforeEach
    void setUp() throws Exception {
        upstream = new TestHttpUpstream();
        engine = new Engine(Transport.best(), 1, 7, Clock.systemUTC()); // one event loop for every connection
        engine.apply(ConfigParser.parse("""
                version: "1"
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://%1$s"}
                  - {name: other, listen: "127.0.0.1:0", upstream: "http://%1$s"}
                rules:
                  - {name: nested-path, listeners: [web], match: {pathRegex: "/(a+)+$"}, abort: {status: 418}}
                  - {name: nested-header, listeners: [web], match: {headers: {x-id: {regex: "(a|aa)+$"}}}, abort: {status: 418}}
                  - {name: nested-query, listeners: [web], match: {query: {q: {regex: "(x+x+)+y"}}}, abort: {status: 418}}
                  - {name: many-stars, listeners: [web], match: {pathRegex: "(.*a){20}b"}, abort: {status: 418}}
                  - {name: star-glob, listeners: [web], match: {path: "/**a**a**a**a**a**a**a**b"}, abort: {status: 418}}
                """.formatted(upstream.address()))).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() {
        engine.close();
        upstream.close();
    }

    private int port(String listener) {
        String bound = engine.boundAddress(listener);
        return Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1));
    }

    @Test
    void pathologicalInputsAreAnsweredAndOtherConnectionsOnTheLoopAreServedMeanwhile() throws Exception {
        AtomicBoolean attacking = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> attackers = new ArrayList<>();
            for (int a = 0; a < 2; a++) {
                attackers.add(pool.submit(() -> {
                    int sent = 0;
                    try (RawHttpClient c = new RawHttpClient(port("web"))) {
                        for (int i = 0; i < 20; i++) {
                            // None of them matches: every rule's pattern runs to the end of its input.
                            assertThat(c.get(EVIL_PATH, "x-id: " + EVIL_HEADER).status()).isEqualTo(404);
                            assertThat(c.get("/api/items?q=" + "x".repeat(5000), "x-id: " + "a".repeat(8000) + "!")
                                    .status()).isEqualTo(200);
                            assertThat(c.get(LONG_PATH).status()).isEqualTo(404);
                            sent += 3;
                        }
                    } finally {
                        attacking.set(false);
                    }
                    return sent;
                }));
            }
            Future<Integer> victim = pool.submit(() -> {
                int served = 0;
                try (RawHttpClient c = new RawHttpClient(port("other"))) {
                    while (attacking.get() || served < 20) {
                        RawHttpClient.Response r = c.get("/api/items");
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.text()).contains("\"items\":3");
                        served++;
                    }
                }
                return served;
            });
            for (Future<Integer> attacker : attackers) {
                assertThat(attacker.get(5, TimeUnit.MINUTES)).isEqualTo(60);
            }
            assertThat(victim.get(5, TimeUnit.MINUTES)).isGreaterThanOrEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
        // Matching still means what it says: inputs the patterns accept get the fault.
        try (RawHttpClient c = new RawHttpClient(port("web"))) {
            assertThat(c.get("/" + "a".repeat(30)).status()).isEqualTo(418);
            assertThat(c.get("/api/items", "x-id: " + "a".repeat(31)).status()).isEqualTo(418);
            assertThat(c.get("/api/items?q=xxxxy").status()).isEqualTo(418);
            assertThat(c.get("/" + "a".repeat(25) + "b").status()).isEqualTo(418);
            assertThat(c.get("/xaxaxaxaxaxaxab").status()).isEqualTo(418);
        }
        assertThat(engine.ruleStats().get("nested-path").injected.sum()).isEqualTo(1);
    }

    @Test
    void patternsTooLargeForCheapMatchingAreRefusedWithTheFieldAndTheOldConfigStays() {
        assertThatThrownBy(() -> engine.apply(ConfigParser.parse("""
                version: "2"
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://%s"}
                rules:
                  - {name: fine, match: {pathRegex: "/(a+)+$"}, abort: {status: 418}}
                  - {name: huge, match: {headers: {x-id: {regex: "(\\\\w{1,30}){1,30}"}}}, abort: {status: 418}}
                """.formatted(upstream.address()))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rules[1].match.headers.x-id.regex: '(\\w{1,30}){1,30}' is too large: it compiles to 1861"
                        + " instructions, at most 1000 are accepted (counted repetitions multiply: (a{10}){10} is about 100)");
        assertThatThrownBy(() -> ConfigParser.parse("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1"}]
                rules: [{name: look, match: {pathRegex: "/(?!internal)"}, abort: {status: 418}}]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rules[0].match.pathRegex: '/(?!internal)' is not accepted: lookahead (?!...) is not supported");
        assertThat(engine.config().version()).isEqualTo("1");
    }
}
