package io.faultline.sidecar.admin;

import static io.faultline.sidecar.admin.AdminFixture.expect;
import static io.faultline.sidecar.admin.AdminFixture.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health, readiness and the native config endpoints, with every error answer, over real sockets. */
class NativeApiTest {
    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private String config(String version, String listen, String extraRule) {
        return "{\"version\":\"" + version + "\",\"listeners\":[{\"name\":\"echo\",\"listen\":\"" + listen
                + "\",\"upstream\":\"" + f.upstream.address() + "\"}],\"rules\":[" + extraRule + "]}";
    }

    @Test
    void healthAndReadiness() {
        assertThat(expect(f.get("/healthz"), 200).path("status").asText()).isEqualTo("ok");
        AdminFixture.Reply notReady = f.get("/readyz");
        assertThat(notReady.status()).isEqualTo(503);
        assertThat(notReady.json().path("status").asText()).startsWith("not ready");
        expect(f.call("PUT", "/v1/config", config("1", "127.0.0.1:0", "")), 200);
        assertThat(expect(f.get("/readyz"), 200).path("status").asText()).isEqualTo("ready");
    }

    @Test
    void putReturnsWhatGetShowsWithTheBoundAddress() throws Exception {
        JsonNode put = expect(f.call("PUT", "/v1/config", config("7", "127.0.0.1:0", "")), 200);
        JsonNode got = expect(f.get("/v1/config"), 200);
        assertThat(got).isEqualTo(put);
        String bound = got.at("/listeners/0/bound").asText();
        assertThat(bound).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:0");
        assertThat(roundTrip(bound, "hello")).isEqualTo("hello");
    }

    @Test
    void rejectedConfigKeepsTheOldOneWorking() throws Exception {
        expect(f.call("PUT", "/v1/config", config("1", "127.0.0.1:0", "")), 200);
        JsonNode before = expect(f.get("/v1/config"), 200);
        String bound = before.at("/listeners/0/bound").asText();

        JsonNode bad = expect(f.call("PUT", "/v1/config", config("2", "127.0.0.1:0",
                "{\"name\":\"slow\",\"latency\":{\"fixed\":\"soon\"}}")), 400);
        assertThat(bad.path("field").asText()).isEqualTo("rules[0].latency.fixed");
        assertThat(bad.path("error").asText()).startsWith("rules[0].latency.fixed:");

        expect(f.call("PUT", "/v1/config", "listeners: [ {name: x"), 400);
        expect(f.call("PUT", "/v1/config", ""), 400);

        assertThat(expect(f.get("/v1/config"), 200)).isEqualTo(before);
        assertThat(roundTrip(bound, "still here")).isEqualTo("still here");
    }

    @Test
    void configWithAPortInUseIsRejectedAtomically() throws Exception {
        expect(f.call("PUT", "/v1/config", config("1", "127.0.0.1:0", "")), 200);
        JsonNode before = expect(f.get("/v1/config"), 200);
        String bound = before.at("/listeners/0/bound").asText();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String second = "{\"version\":\"2\",\"listeners\":[{\"name\":\"echo\",\"listen\":\"127.0.0.1:0\",\"upstream\":\""
                    + f.upstream.address() + "\"},{\"name\":\"other\",\"listen\":\"127.0.0.1:" + taken.getLocalPort()
                    + "\",\"upstream\":\"" + f.upstream.address() + "\"}],"
                    + "\"rules\":[{\"name\":\"slow\",\"latency\":{\"fixed\":\"1s\"}}]}";
            JsonNode err = expect(f.call("PUT", "/v1/config", second), 400);
            assertThat(err.path("field").asText()).isEqualTo("listeners[1].listen");
        }
        assertThat(expect(f.get("/v1/config"), 200)).isEqualTo(before);
        assertThat(roundTrip(bound, "unchanged")).isEqualTo("unchanged");
    }

    @Test
    void unknownPathsAndMethods() {
        expect(f.get("/nope"), 404);
        AdminFixture.Reply r = f.call("DELETE", "/v1/config", null);
        expect(r, 405);
        assertThat(r.header("Allow")).contains("GET").contains("PUT");
        expect(f.call("POST", "/healthz", "{}"), 405);
    }

    @Test
    void tooLargeBodyIs413() {
        String huge = "#".repeat(AdminServer.MAX_BODY + 1);
        AdminFixture.Reply r = f.call("PUT", "/v1/config", huge);
        JsonNode err = expect(r, 413);
        assertThat(err.path("error").asText()).contains(String.valueOf(AdminServer.MAX_BODY));
        // The server is still fine for the next client.
        expect(f.get("/healthz"), 200);
    }
}
