package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.testing.InProcessSidecar;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** idleTimeout: a client connection with no request in progress is closed after it; 0 = never. */
class HttpIdleTimeoutTest {
    private static final String GET = "GET /items HTTP/1.1\r\nHost: shop\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static EmbeddedHttpProxy proxy(Duration idle) {
        return new EmbeddedHttpProxy(EmbeddedHttpProxy.activeRules("[]"), 1,
                HttpConnectionOptions.DEFAULTS.withIdleTimeout(idle).withResponseTimeout(Duration.ZERO));
    }

    @Test
    void anIdleConnectionIsClosedAfterTheTimeoutCountedFromItsLastResponse() {
        try (EmbeddedHttpProxy p = proxy(Duration.ofSeconds(5))) {
            p.advance(4_999);
            assertThat(p.client.isOpen()).isTrue();
            p.send(GET);
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).endsWith("ok");
            p.advance(4_999); // 10 s since the connection opened, 5 s minus 1 ms since the response
            assertThat(p.client.isOpen()).isTrue();
            p.advance(1);
            assertThat(p.client.isOpen()).isFalse();
            assertThat(p.stats.http.idleClosed.sum()).isEqualTo(1);
        }
    }

    @Test
    void aRequestWaitingForItsResponseIsNotIdle() {
        try (EmbeddedHttpProxy p = proxy(Duration.ofSeconds(5))) {
            p.send(GET);
            p.advance(60_000);
            assertThat(p.client.isOpen()).isTrue();
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).endsWith("ok");
            p.advance(5_000);
            assertThat(p.client.isOpen()).isFalse();
        }
    }

    @Test
    void zeroNeverClosesAnIdleConnection() {
        try (EmbeddedHttpProxy p = proxy(Duration.ZERO)) {
            p.advance(24 * 3600 * 1000L);
            assertThat(p.client.isOpen()).isTrue();
            p.send(GET);
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).endsWith("ok");
            assertThat(p.stats.http.idleClosed.sum()).isZero();
        }
    }

    @Test
    void realSocketsAnIdleKeepAliveConnectionIsClosedAndAnotherListenerWithZeroKeepsIt() throws Exception {
        try (TestHttpUpstream upstream = new TestHttpUpstream(); InProcessSidecar sidecar = new InProcessSidecar(1)) {
            sidecar.apply("""
                    listeners:
                      - {name: short, listen: "127.0.0.1:0", upstream: "http://%1$s", idleTimeout: 200ms}
                      - {name: never, listen: "127.0.0.1:0", upstream: "http://%1$s", idleTimeout: 0}
                    rules: []
                    """.formatted(upstream.address()));
            try (RawHttpClient idle = new RawHttpClient(sidecar.port("short"));
                 RawHttpClient kept = new RawHttpClient(sidecar.port("never"))) {
                assertThat(idle.get("/api/items").status()).isEqualTo(200);
                assertThat(kept.get("/api/items").status()).isEqualTo(200);
                assertThat(idle.closedByPeer(10_000)).isTrue();
                assertThat(kept.closedByPeer(1_000)).isFalse();
                assertThat(kept.get("/api/items").status()).isEqualTo(200);
            }
            assertThat(sidecar.engine().listenerStats().get("short").http.idleClosed.sum()).isEqualTo(1);
            assertThat(sidecar.engine().listenerStats().get("never").http.idleClosed.sum()).isZero();
        }
    }

    @Test
    void realSocketsAClientThatNeverSendsAByteIsClosedToo() throws Exception {
        try (TestHttpUpstream upstream = new TestHttpUpstream(); InProcessSidecar sidecar = new InProcessSidecar(1)) {
            sidecar.apply("""
                    listeners:
                      - {name: short, listen: "127.0.0.1:0", upstream: "http://%1$s", idleTimeout: 200ms}
                    rules: []
                    """.formatted(upstream.address()));
            try (RawHttpClient silent = new RawHttpClient(sidecar.port("short"))) {
                assertThat(silent.closedByPeer(10_000)).isTrue();
            }
            assertThat(sidecar.engine().listenerStats().get("short").http.idleClosed.sum()).isEqualTo(1);
        }
    }
}
