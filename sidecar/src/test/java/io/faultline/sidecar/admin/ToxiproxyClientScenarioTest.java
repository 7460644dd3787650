package io.faultline.sidecar.admin;

import static io.faultline.sidecar.admin.AdminFixture.connect;
import static io.faultline.sidecar.admin.AdminFixture.expect;
import static io.faultline.sidecar.admin.AdminFixture.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.sidecar.config.HostPort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives the Toxiproxy API the way its client libraries do (toxiproxy-java and the Go client post
 * single fields or whole proxies back, Testcontainers cuts connections with toxics) and checks the
 * effect on real traffic through the proxy.
 */
class ToxiproxyClientScenarioTest {
    private static final long LATENCY_MS = 300;
    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private static long timedRoundTripMillis(String address, String line) throws IOException {
        long t0 = System.nanoTime();
        assertThat(roundTrip(address, line)).isEqualTo(line);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void createToxicsUpdateDisableEnableResetDeleteRecreate() throws Exception {
        JsonNode created = expect(f.call("POST", "/proxies",
                "{\"name\":\"echo\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + f.upstream.address() + "\"}"), 201);
        String listen = created.path("listen").asText();
        assertThat(roundTrip(listen, "plain")).isEqualTo("plain");

        // A latency toxic is felt by real traffic (a lower bound only: faults add time, never remove it).
        expect(f.call("POST", "/proxies/echo/toxics", "{\"name\":\"slow\",\"type\":\"latency\",\"stream\":\"downstream\","
                + "\"toxicity\":1.0,\"attributes\":{\"latency\":" + LATENCY_MS + "}}"), 200);
        assertThat(timedRoundTripMillis(listen, "slow")).isGreaterThanOrEqualTo(LATENCY_MS);

        // Update the toxic while a connection is open: it applies to that connection too.
        try (Socket open = connect(listen)) {
            assertThat(roundTrip(open, "before")).isEqualTo("before");
            expect(f.call("POST", "/proxies/echo/toxics/slow", "{\"attributes\":{\"latency\":" + 2 * LATENCY_MS + "}}"), 200);
            long t0 = System.nanoTime();
            assertThat(roundTrip(open, "after")).isEqualTo("after");
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(2 * LATENCY_MS);
        }

        // Disable (toxiproxy-java posts {"enabled": false}): open connections are closed, new ones refused.
        try (Socket open = connect(listen)) {
            assertThat(roundTrip(open, "hi")).isEqualTo("hi");
            JsonNode disabled = expect(f.call("POST", "/proxies/echo", "{\"enabled\":false}"), 200);
            assertThat(disabled.path("enabled").asBoolean()).isFalse();
            assertThat(disabled.path("listen").asText()).isEqualTo(listen);
            assertThat(disabled.path("toxics").size()).isEqualTo(1);
            assertClosed(open);
        }
        assertThatThrownBy(() -> connect(listen)).isInstanceOf(ConnectException.class);

        // Enable (the Go client saves the whole proxy as it was shown): same port, toxics kept and active.
        JsonNode shown = expect(f.get("/proxies/echo"), 200);
        ((com.fasterxml.jackson.databind.node.ObjectNode) shown).put("enabled", true);
        JsonNode enabled = expect(f.call("PATCH", "/proxies/echo", shown.toString()), 200);
        assertThat(enabled.path("enabled").asBoolean()).isTrue();
        assertThat(enabled.path("listen").asText()).isEqualTo(listen);
        assertThat(enabled.path("toxics").findValuesAsText("name")).containsExactly("slow");
        assertThat(timedRoundTripMillis(listen, "back")).isGreaterThanOrEqualTo(2 * LATENCY_MS);

        // A connection-cut like Testcontainers' (an upstream toxic added and removed), then reset.
        expect(f.call("POST", "/proxies/echo/toxics", "{\"name\":\"CUT_CONNECTION_UPSTREAM\",\"type\":\"latency\","
                + "\"stream\":\"upstream\",\"attributes\":{\"latency\":1}}"), 200);
        assertThat(expect(f.get("/proxies/echo/toxics"), 200).findValuesAsText("name"))
                .containsExactly("CUT_CONNECTION_UPSTREAM", "slow");
        expect(f.call("DELETE", "/proxies/echo/toxics/CUT_CONNECTION_UPSTREAM", null), 204);
        expect(f.call("POST", "/reset", ""), 204);
        assertThat(expect(f.get("/proxies/echo/toxics"), 200).size()).isZero();
        assertThat(expect(f.get("/v1/config"), 200).path("rules").size()).isZero();
        assertThat(roundTrip(listen, "reset")).isEqualTo("reset");

        // Delete releases the port at once; re-creating on the same port works.
        try (Socket open = connect(listen)) {
            assertThat(roundTrip(open, "x")).isEqualTo("x");
            expect(f.call("DELETE", "/proxies/echo", null), 204);
            assertClosed(open);
        }
        HostPort hp = HostPort.parse(listen);
        try (ServerSocket probe = new ServerSocket(hp.port(), 1, InetAddress.getByName(hp.host()))) {
            assertThat(probe.getLocalPort()).isEqualTo(hp.port());
        }
        JsonNode again = expect(f.call("POST", "/proxies",
                "{\"name\":\"echo\",\"listen\":\"" + listen + "\",\"upstream\":\"" + f.upstream.address() + "\"}"), 201);
        assertThat(again.path("listen").asText()).isEqualTo(listen);
        assertThat(again.path("toxics").size()).isZero();
        assertThat(roundTrip(listen, "again")).isEqualTo("again");
    }

    @Test
    void listenAndUpstreamCanBeChanged() throws Exception {
        expect(f.call("POST", "/proxies", "{\"name\":\"p\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:1\"}"), 201);
        JsonNode moved = expect(f.call("PATCH", "/proxies/p", "{\"upstream\":\"" + f.upstream.address() + "\"}"), 200);
        assertThat(moved.path("upstream").asText()).isEqualTo(f.upstream.address());
        String first = moved.path("listen").asText();
        assertThat(roundTrip(first, "up")).isEqualTo("up");
        int freePort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }
        JsonNode relisten = expect(f.call("POST", "/proxies/p", "{\"listen\":\"127.0.0.1:" + freePort + "\"}"), 200);
        assertThat(relisten.path("listen").asText()).isEqualTo("127.0.0.1:" + freePort);
        assertThat(roundTrip("127.0.0.1:" + freePort, "moved")).isEqualTo("moved");
        assertThatThrownBy(() -> connect(first)).isInstanceOf(ConnectException.class);
    }

    private static void assertClosed(Socket s) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                if (s.getInputStream().read() < 0) {
                    return;
                }
            }
        } catch (IOException closed) {
            return; // a reset counts as closed
        }
        throw new AssertionError("connection still open");
    }
}
