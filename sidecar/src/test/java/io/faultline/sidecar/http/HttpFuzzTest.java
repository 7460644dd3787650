package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.testing.InProcessSidecar;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated requests (seeded, so a failure replays): the proxy never throws, never leaks
 * a buffer (paranoid leak detector), never hangs a client that finished sending, and still serves
 * correct requests afterwards.
 */
class HttpFuzzTest {
    private static final String RULES = """
            [{name: canary, match: {headers: {x-canary: "true"}}, abort: {status: 503}},
             {name: slow, probability: 0.2, match: {methods: [POST]}, latency: {fixed: 5ms, phase: response}},
             {name: tag, headers: {request: {set: {x-fuzz: "1"}}}}]""";

    @Test
    void fuzzedRequestsThroughTheStateMachine() {
        RequestFuzzer fuzzer = new RequestFuzzer(20261123);
        var rules = EmbeddedHttpProxy.activeRules(RULES);
        EmbeddedHttpProxy p = null;
        int connections = 0;
        long answered = 0;
        // 10,000 here (EmbeddedChannels under the paranoid leak detector cost ~3 ms each);
        // the 100,000 run goes over real sockets below.
        for (int i = 0; i < 10_000; i++) {
            if (p == null || !p.client.isOpen()) {
                if (p != null) {
                    p.close();
                }
                p = new EmbeddedHttpProxy(rules, i, java.time.Duration.ofSeconds(1));
                connections++;
            }
            p.client.writeInbound(Unpooled.wrappedBuffer(fuzzer.next()));
            if (i % 7 == 0) {
                // Some clients stop sending mid-request.
                p.client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
            // The upstream answers whatever reached it, sometimes badly.
            for (int round = 0; round < 3 && !p.upstreams.isEmpty() && p.upstream().isOpen(); round++) {
                String got = p.upstreamReceived();
                if (got.isEmpty()) {
                    break;
                }
                p.upstreamSends(i % 50 == 0 ? "HTTP/1.1 2x0 Nope\r\n\r\n"
                        : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
            p.advance(1000);
            String out = p.clientReceived();
            answered += HttpProxyConnectionTest.statuses(out).size();
            p.client.checkException();
        }
        p.close();
        assertThat(connections).isGreaterThan(500);
        assertThat(answered).isGreaterThan(2_000);

        // Afterwards a fresh connection with the same rules serves correct requests.
        try (EmbeddedHttpProxy fresh = new EmbeddedHttpProxy(rules, 1, java.time.Duration.ofSeconds(1))) {
            for (int i = 0; i < 10; i++) {
                fresh.send("GET /api/items HTTP/1.1\r\nHost: t\r\n\r\n");
                assertThat(fresh.upstreamReceived()).startsWith("GET /api/items").contains("x-fuzz: 1");
                fresh.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                assertThat(fresh.clientReceived()).startsWith("HTTP/1.1 200").endsWith("ok");
            }
        }
    }

    @Test
    void oneHundredThousandFuzzedRequestsOverRealSockets() throws Exception {
        try (TestHttpUpstream upstream = new TestHttpUpstream(); InProcessSidecar sidecar = new InProcessSidecar(3)) {
            sidecar.apply("""
                    listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://%s", responseTimeout: 5s}]
                    rules: %s
                    """.formatted(upstream.address(), RULES));
            int port = sidecar.port("web");
            int threads = 4;
            int requestsPerConnection = 50;
            long target = 100_000;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            ListenerStats listener = sidecar.engine().listenerStats().get("web");
            AtomicLong sent = new AtomicLong();
            AtomicLong responses = new AtomicLong();
            AtomicLong connections = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 1000 + t;
                done.add(pool.submit(() -> {
                    RequestFuzzer fuzzer = new RequestFuzzer(seed);
                    // Until the proxy has parsed 100,000 requests: one in 40 is random or mutated,
                    // and a malformed one ends its connection (the rest of the batch is never parsed).
                    while (listener.http.requests.sum() < target && System.nanoTime() < deadline) {
                        connections.incrementAndGet();
                        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                            s.setSoLinger(true, 0); // no TIME_WAIT pile-up over thousands of connections
                            s.setSoTimeout(15_000);
                            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
                            for (int r = 0; r < requestsPerConnection; r++) {
                                batch.writeBytes(fuzzer.mostlyValid(40));
                            }
                            sent.addAndGet(requestsPerConnection);
                            try {
                                s.getOutputStream().write(batch.toByteArray());
                                s.shutdownOutput();
                            } catch (java.io.IOException closedEarly) {
                                // The proxy already refused a malformed request and closed.
                            }
                            // A client that is done sending always gets to the end: no hang.
                            responses.addAndGet(countStatusLines(s.getInputStream()));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            ListenerStats stats = sidecar.engine().listenerStats().get("web");
            assertThat(stats.http.requests.sum()).as("requests parsed by the proxy within 4 minutes")
                    .isGreaterThanOrEqualTo(target);
            assertThat(stats.http.badRequests.sum()).isPositive();
            assertThat(responses.get()).isGreaterThan(target * 9 / 10);
            InProcessSidecar.eventually(5000, () -> assertThat(sidecar.engine().openConnections("web")).isZero());
            System.out.printf("fuzz over sockets: %d connections, %d requests sent, %d parsed by the proxy, %d answers;"
                            + " 400=%d 414=%d 431=%d unsupported=%d 502=%d 504=%d forwarded=%d%n",
                    connections.get(), sent.get(), stats.http.requests.sum(), responses.get(), stats.http.badRequests.sum(),
                    stats.http.uriTooLong.sum(), stats.http.headersTooLarge.sum(), stats.http.unsupported.sum(),
                    stats.http.badGateway.sum(), stats.http.gatewayTimeout.sum(), stats.http.forwarded.sum());

            // Correct requests are still served, with the rules still in force.
            try (RawHttpClient c = new RawHttpClient(port)) {
                for (int i = 0; i < 20; i++) {
                    assertThat(c.get("/api/items").status()).isEqualTo(200);
                    assertThat(c.get("/api/items", "x-canary: true").status()).isEqualTo(503);
                }
            }
        }
    }

    /** Reads to EOF (or reset), counting HTTP status lines. */
    private static long countStatusLines(InputStream in) {
        long count = 0;
        byte[] pattern = "HTTP/1.1 ".getBytes();
        int matched = 0;
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == pattern[matched]) {
                        matched++;
                        if (matched == pattern.length) {
                            count++;
                            matched = 0;
                        }
                    } else {
                        matched = buf[i] == pattern[0] ? 1 : 0;
                    }
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the proxy left a finished client hanging", e);
        } catch (java.io.IOException reset) {
            // reset by the proxy (reset fault or close with unread input): fine
        }
        return count;
    }
}
