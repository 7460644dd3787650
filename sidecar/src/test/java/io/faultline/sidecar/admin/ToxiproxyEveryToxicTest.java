package io.faultline.sidecar.admin;

import static io.faultline.sidecar.admin.AdminFixture.connect;
import static io.faultline.sidecar.admin.AdminFixture.expect;
import static io.faultline.sidecar.admin.AdminFixture.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client adds a toxic of every Toxiproxy type (and our own: down, loss) through the Toxiproxy API,
 * sees it as Toxiproxy shows it and as a rule of the config, and sees its effect on real traffic.
 * Timing is only ever checked as a lower bound (a fault adds time), never as a performance figure.
 */
class ToxiproxyEveryToxicTest {
    private AdminFixture f;
    private String listen;
    private final Set<String> covered = new LinkedHashSet<>();

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture();
        listen = expect(f.call("POST", "/proxies",
                "{\"name\":\"echo\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + f.upstream.address() + "\"}"), 201)
                .path("listen").asText();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    /** Adds the toxic, checks how the API shows it and which rule it became, and returns it. */
    private JsonNode add(String type, String stream, String attributes, String nativeKind) {
        JsonNode t = expect(f.call("POST", "/proxies/echo/toxics", "{\"name\":\"t-" + type + "\",\"type\":\"" + type
                + "\",\"stream\":\"" + stream + "\",\"attributes\":" + attributes + "}"), 200);
        assertThat(t.path("type").asText()).isEqualTo(type);
        assertThat(t.path("stream").asText()).isEqualTo(stream);
        JsonNode rule = expect(f.get("/v1/config"), 200).path("rules").get(0);
        assertThat(rule.path("name").asText()).isEqualTo("echo.t-" + type);
        assertThat(rule.has(nativeKind)).as("rule %s has fault %s", rule, nativeKind).isTrue();
        covered.add(type);
        return t;
    }

    private void remove(String type) {
        expect(f.call("DELETE", "/proxies/echo/toxics/t-" + type, null), 204);
        assertThat(expect(f.get("/v1/config"), 200).path("rules").size()).isZero();
    }

    @Test
    void everyToxicTypeActsOnRealTraffic() throws Exception {
        // latency: the answer comes late.
        JsonNode latency = add("latency", "downstream", "{\"latency\":200,\"jitter\":0}", "latency");
        assertThat(latency.at("/attributes/latency").asLong()).isEqualTo(200);
        long t0 = System.nanoTime();
        assertThat(roundTrip(listen, "late")).isEqualTo("late");
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(200);
        remove("latency");

        // bandwidth 0 stalls the stream; removing the toxic releases what it held, nothing lost.
        JsonNode bandwidth = add("bandwidth", "downstream", "{\"rate\":0}", "bandwidth");
        assertThat(bandwidth.at("/attributes/rate").asLong()).isZero();
        try (Socket s = connect(listen)) {
            send(s, "held\n");
            assertNothingWithin(s, 300);
            remove("bandwidth");
            assertThat(readExactly(s, 5)).isEqualTo("held\n");
        }

        // slicer: many small pieces, the same bytes.
        add("slicer", "downstream", "{\"average_size\":2,\"size_variation\":1,\"delay\":1000}", "slicer");
        String payload = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(20);
        assertThat(roundTrip(listen, payload)).isEqualTo(payload);
        remove("slicer");

        // limit_data: the connection closes after that many bytes.
        add("limit_data", "downstream", "{\"bytes\":5}", "limitData");
        try (Socket s = connect(listen)) {
            send(s, "0123456789\n");
            byte[] got = s.getInputStream().readAllBytes();
            assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("01234");
        }
        remove("limit_data");

        // timeout: nothing goes through, then the connection is closed.
        add("timeout", "upstream", "{\"timeout\":100}", "timeout");
        try (Socket s = connect(listen)) {
            send(s, "lost?\n");
            assertThat(readToEndOrReset(s)).isEmpty();
        }
        remove("timeout");

        // reset_peer: the client sees the connection torn down.
        add("reset_peer", "upstream", "{\"timeout\":0}", "resetPeer");
        // With timeout 0 the RST can beat the client's own connect() call: that is the reset too.
        try (Socket s = connect(listen)) {
            send(s, "bye\n");
            assertThat(readToEndOrReset(s)).isEmpty();
        } catch (java.net.SocketException resetWhileConnecting) {
            assertThat(resetWhileConnecting).hasMessageContaining("reset");
        }
        remove("reset_peer");

        // slow_close: data as usual, but the close comes late.
        add("slow_close", "downstream", "{\"delay\":200}", "slowClose");
        try (Socket s = connect(listen)) {
            assertThat(roundTrip(s, "data")).isEqualTo("data");
            long closeStart = System.nanoTime();
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat((System.nanoTime() - closeStart) / 1_000_000).isGreaterThanOrEqualTo(200);
        }
        remove("slow_close");

        // down: accepted, and everything discarded.
        add("down", "downstream", "{}", "down");
        try (Socket s = connect(listen)) {
            send(s, "void\n");
            assertNothingWithin(s, 300);
        }
        remove("down");

        // loss: stalls like retransmissions, never drops or corrupts a byte.
        add("loss", "downstream", "{\"probability\":1.0,\"stall\":\"50ms\"}", "loss");
        long l0 = System.nanoTime();
        assertThat(roundTrip(listen, "intact")).isEqualTo("intact");
        assertThat((System.nanoTime() - l0) / 1_000_000).isGreaterThanOrEqualTo(50);
        remove("loss");

        assertThat(roundTrip(listen, "clean again")).isEqualTo("clean again");
        assertThat(covered).containsExactlyInAnyOrder(
                "latency", "bandwidth", "slicer", "limit_data", "timeout", "reset_peer", "slow_close", "down", "loss");
        for (String type : List.copyOf(covered)) {
            assertThat(io.faultline.sidecar.fault.FaultKinds.byToxiproxyType(type)).as(type).isPresent();
        }
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void assertNothingWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            int b = s.getInputStream().read();
            throw new AssertionError("expected nothing, got " + (b < 0 ? "end of stream" : "a byte"));
        } catch (SocketTimeoutException expected) {
            // Nothing came: the fault holds or discards the data.
        } finally {
            s.setSoTimeout(5000);
        }
    }

    private static String readExactly(Socket s, int n) throws IOException {
        byte[] b = s.getInputStream().readNBytes(n);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Everything until the connection ends, by FIN or by reset. */
    private static String readToEndOrReset(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                got.append((char) b);
            }
        } catch (java.net.SocketException reset) {
            // A reset ends the stream as well.
        }
        return got.toString();
    }
}
