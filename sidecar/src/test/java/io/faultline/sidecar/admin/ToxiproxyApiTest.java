package io.faultline.sidecar.admin;

import static io.faultline.sidecar.admin.AdminFixture.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Toxiproxy 2.12 API: JSON shapes, status codes and error bodies, and that it is the same engine. */
class ToxiproxyApiTest {
    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private String proxy(String name) {
        return "{\"name\":\"" + name + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + f.upstream.address() + "\"}";
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String error(AdminFixture.Reply r, int status) {
        return expect(r, status).path("error").asText();
    }

    @Test
    void proxyShapesAndStatusCodes() {
        assertThat(expect(f.get("/proxies"), 200).size()).isZero();
        JsonNode created = expect(f.call("POST", "/proxies", proxy("redis")), 201);
        assertThat(fieldNames(created)).containsExactly("name", "listen", "upstream", "enabled", "toxics");
        assertThat(created.path("name").asText()).isEqualTo("redis");
        assertThat(created.path("listen").asText()).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:0");
        assertThat(created.path("upstream").asText()).isEqualTo(f.upstream.address());
        assertThat(created.path("enabled").asBoolean()).isTrue();
        assertThat(created.path("toxics").isArray()).isTrue();
        assertThat(created.path("toxics").size()).isZero();

        assertThat(error(f.call("POST", "/proxies", proxy("redis")), 409)).isEqualTo("proxy already exists");
        assertThat(expect(f.get("/proxies/redis"), 200)).isEqualTo(created);
        assertThat(error(f.get("/proxies/nope"), 404)).isEqualTo("proxy not found");

        expect(f.call("POST", "/proxies", proxy("alpha")), 201);
        expect(f.call("POST", "/proxies", proxy("zeta")), 201);
        assertThat(fieldNames(expect(f.get("/proxies"), 200))).containsExactly("alpha", "redis", "zeta");

        // The same engine: GET /v1/config shows the proxies as listeners.
        JsonNode config = expect(f.get("/v1/config"), 200);
        assertThat(config.path("listeners").findValuesAsText("name")).containsExactly("redis", "alpha", "zeta");
        assertThat(config.at("/listeners/0/bound").asText()).isEqualTo(created.path("listen").asText());

        expect(f.call("DELETE", "/proxies/alpha", null), 204);
        assertThat(error(f.call("DELETE", "/proxies/alpha", null), 404)).isEqualTo("proxy not found");
        assertThat(fieldNames(expect(f.get("/proxies"), 200))).containsExactly("redis", "zeta");
        expect(f.call("PUT", "/proxies", "{}"), 405);
        expect(f.call("GET", "/proxies/redis/nothing-here", null), 404);
    }

    @Test
    void everyChangeThroughThisApiChangesTheConfigVersion() {
        expect(f.call("PUT", "/v1/config", "version: \"42\"\nlisteners: []\n"), 200);
        expect(f.call("POST", "/proxies", proxy("redis")), 201);
        assertThat(expect(f.get("/v1/config"), 200).path("version").asText()).isEqualTo("42+toxiproxy.1");
        expect(f.call("POST", "/proxies/redis/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":5}}"), 200);
        assertThat(expect(f.get("/v1/config"), 200).path("version").asText()).isEqualTo("42+toxiproxy.2");
        expect(f.call("POST", "/reset", null), 204);
        expect(f.call("POST", "/reset", null), 204);
        assertThat(expect(f.get("/v1/config"), 200).path("version").asText())
                .as("a reset that changes nothing keeps the version").isEqualTo("42+toxiproxy.3");
        assertThat(ToxiproxyApi.editedVersion("")).isEqualTo("+toxiproxy.1");
    }

    @Test
    void badProxyInputIs400NamingTheField() {
        assertThat(error(f.call("POST", "/proxies", "{\"upstream\":\"127.0.0.1:1\"}"), 400))
                .isEqualTo("missing required field: name");
        assertThat(error(f.call("POST", "/proxies", "{\"name\":\"x\"}"), 400))
                .isEqualTo("missing required field: upstream");
        assertThat(error(f.call("POST", "/proxies", "{\"name\":\"x\",\"upstream\":"), 400))
                .startsWith("bad request body: invalid JSON");
        assertThat(error(f.call("POST", "/proxies", "[]"), 400)).startsWith("bad request body");
        assertThat(error(f.call("POST", "/proxies", "{\"name\":\"x\",\"upstream\":\"nohost\"}"), 400))
                .startsWith("bad request body: upstream:");
        assertThat(error(f.call("POST", "/proxies",
                "{\"name\":\"x\",\"upstream\":\"127.0.0.1:1\",\"listen\":\"127.0.0.1:99999\"}"), 400))
                .startsWith("bad request body: listen:");
        assertThat(error(f.call("POST", "/proxies",
                "{\"name\":\"x\",\"upstream\":\"127.0.0.1:1\",\"enabled\":\"maybe\"}"), 400))
                .startsWith("bad request body: enabled:");
        expect(f.call("POST", "/proxies", proxy("x")), 201);
        assertThat(error(f.call("PATCH", "/proxies/x", "{\"enabled\":3}"), 400)).startsWith("bad request body: enabled:");
        assertThat(error(f.call("PATCH", "/proxies/x", ""), 400)).startsWith("bad request body");
        assertThat(error(f.call("PATCH", "/proxies/y", "{}"), 404)).isEqualTo("proxy not found");
        assertThat(expect(f.get("/proxies"), 200).size()).isEqualTo(1);
    }

    @Test
    void proxyWithAPortInUseIsNotCreated() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String body = "{\"name\":\"busy\",\"listen\":\"127.0.0.1:" + taken.getLocalPort()
                    + "\",\"upstream\":\"" + f.upstream.address() + "\"}";
            assertThat(error(f.call("POST", "/proxies", body), 400)).contains("cannot listen on");
        }
        assertThat(expect(f.get("/proxies"), 200).size()).isZero();
        assertThat(expect(f.get("/v1/config"), 200).path("listeners").size()).isZero();
    }

    @Test
    void toxicShapesDefaultsAndErrors() {
        expect(f.call("POST", "/proxies", proxy("redis")), 201);
        JsonNode toxic = expect(f.call("POST", "/proxies/redis/toxics", "{\"type\":\"latency\"}"), 200);
        assertThat(fieldNames(toxic)).containsExactly("attributes", "name", "type", "stream", "toxicity");
        assertThat(toxic.path("name").asText()).isEqualTo("latency_downstream");
        assertThat(toxic.path("type").asText()).isEqualTo("latency");
        assertThat(toxic.path("stream").asText()).isEqualTo("downstream");
        assertThat(toxic.path("toxicity").asDouble()).isEqualTo(1.0);
        assertThat(toxic.path("attributes").path("latency").asLong()).isZero();
        assertThat(toxic.path("attributes").path("jitter").asLong()).isZero();

        assertThat(error(f.call("POST", "/proxies/redis/toxics", "{\"type\":\"latency\"}"), 409))
                .isEqualTo("toxic already exists");
        assertThat(error(f.call("POST", "/proxies/redis/toxics", "{\"type\":\"frobnicate\"}"), 400))
                .isEqualTo("invalid toxic type");
        assertThat(error(f.call("POST", "/proxies/redis/toxics", "{\"type\":\"latency\",\"stream\":\"sideways\"}"), 400))
                .isEqualTo("stream was invalid, can be either upstream or downstream");
        assertThat(error(f.call("POST", "/proxies/redis/toxics",
                "{\"name\":\"t2\",\"type\":\"latency\",\"toxicity\":1.5}"), 400)).startsWith("bad request body: toxicity:");
        assertThat(error(f.call("POST", "/proxies/redis/toxics",
                "{\"name\":\"t3\",\"type\":\"latency\",\"attributes\":{\"latency\":-5}}"), 400))
                .startsWith("bad request body: attributes.latency:");
        assertThat(error(f.call("POST", "/proxies/redis/toxics",
                "{\"name\":\"t4\",\"type\":\"latency\",\"attributes\":{\"latnecy\":5}}"), 400))
                .startsWith("bad request body: attributes.latnecy:");
        assertThat(error(f.call("POST", "/proxies/redis/toxics", "not json"), 400)).startsWith("bad request body");
        assertThat(error(f.call("POST", "/proxies/none/toxics", "{\"type\":\"latency\"}"), 404)).isEqualTo("proxy not found");
        assertThat(error(f.get("/proxies/none/toxics"), 404)).isEqualTo("proxy not found");
        assertThat(error(f.get("/proxies/redis/toxics/none"), 404)).isEqualTo("toxic not found");
        assertThat(error(f.call("PATCH", "/proxies/redis/toxics/none", "{}"), 404)).isEqualTo("toxic not found");
        assertThat(error(f.call("DELETE", "/proxies/redis/toxics/none", null), 404)).isEqualTo("toxic not found");

        // Upstream toxics are listed first, like Toxiproxy's two chains.
        expect(f.call("POST", "/proxies/redis/toxics",
                "{\"name\":\"up\",\"type\":\"latency\",\"stream\":\"upstream\",\"toxicity\":0.25,\"attributes\":{\"latency\":20}}"), 200);
        JsonNode list = expect(f.get("/proxies/redis/toxics"), 200);
        assertThat(list.findValuesAsText("name")).containsExactly("up", "latency_downstream");
        assertThat(expect(f.get("/proxies/redis"), 200).path("toxics")).isEqualTo(list);
        JsonNode up = expect(f.get("/proxies/redis/toxics/up"), 200);
        assertThat(up.path("toxicity").asDouble()).isEqualTo(0.25);
        assertThat(up.path("stream").asText()).isEqualTo("upstream");
        assertThat(up.at("/attributes/latency").asLong()).isEqualTo(20);

        // Attribute merge: only what is given changes; toxicity kept unless given.
        JsonNode merged = expect(f.call("PATCH", "/proxies/redis/toxics/up", "{\"attributes\":{\"jitter\":5}}"), 200);
        assertThat(merged.at("/attributes/latency").asLong()).isEqualTo(20);
        assertThat(merged.at("/attributes/jitter").asLong()).isEqualTo(5);
        assertThat(merged.path("toxicity").asDouble()).isEqualTo(0.25);
        JsonNode viaPost = expect(f.call("POST", "/proxies/redis/toxics/up", "{\"toxicity\":0.5}"), 200);
        assertThat(viaPost.at("/attributes/latency").asLong()).isEqualTo(20);
        assertThat(viaPost.path("toxicity").asDouble()).isEqualTo(0.5);
        assertThat(error(f.call("PATCH", "/proxies/redis/toxics/up", "{\"attributes\":{\"latency\":\"x\"}}"), 400))
                .startsWith("bad request body: attributes.latency:");
        assertThat(expect(f.get("/proxies/redis/toxics/up"), 200)).isEqualTo(viaPost);

        // The same engine: the toxics are rules of the config.
        JsonNode rules = expect(f.get("/v1/config"), 200).path("rules");
        assertThat(rules.findValuesAsText("name")).containsExactly("redis.latency_downstream", "redis.up");
        JsonNode rule = rules.get(1);
        assertThat(rule.path("listeners").get(0).asText()).isEqualTo("redis");
        assertThat(rule.path("probability").asDouble()).isEqualTo(0.5);
        assertThat(rule.path("stream").asText()).isEqualTo("upstream");
        assertThat(rule.at("/latency/fixed").asText()).isEqualTo("20ms");

        expect(f.call("DELETE", "/proxies/redis/toxics/up", null), 204);
        assertThat(error(f.get("/proxies/redis/toxics/up"), 404)).isEqualTo("toxic not found");
        assertThat(expect(f.get("/v1/config"), 200).path("rules").size()).isEqualTo(1);
    }

    /**
     * Toxiproxy scopes toxic names per proxy and allows any name (Testcontainers: "host:port" proxies,
     * "CUT_CONNECTION_DOWNSTREAM" toxics); rules are global with lower-case names. Each shows back as given.
     */
    @Test
    void toxicNamesArePerProxyAndAnyNameShowsBackAsGiven() {
        expect(f.call("POST", "/proxies", proxy("a")), 201);
        expect(f.call("POST", "/proxies", proxy("b")), 201);
        String toxic = "{\"name\":\"slow\",\"type\":\"latency\",\"attributes\":{\"latency\":1}}";
        expect(f.call("POST", "/proxies/a/toxics", toxic), 200);
        expect(f.call("POST", "/proxies/b/toxics", toxic), 200);
        assertThat(expect(f.get("/v1/config"), 200).path("rules").findValuesAsText("name"))
                .containsExactly("a.slow", "b.slow");
        assertThat(expect(f.get("/proxies/a/toxics"), 200).findValuesAsText("name")).containsExactly("slow");
        assertThat(expect(f.get("/proxies/b/toxics"), 200).findValuesAsText("name")).containsExactly("slow");
        expect(f.call("DELETE", "/proxies/a/toxics/slow", null), 204);
        assertThat(expect(f.get("/proxies/b/toxics/slow"), 200).path("name").asText()).isEqualTo("slow");

        JsonNode odd = expect(f.call("POST", "/proxies", proxy("Redis:6379")), 201);
        assertThat(odd.path("name").asText()).isEqualTo("Redis:6379");
        JsonNode cut = expect(f.call("POST", "/proxies/Redis:6379/toxics",
                "{\"name\":\"CUT_CONNECTION_DOWNSTREAM\",\"type\":\"latency\"}"), 200);
        assertThat(cut.path("name").asText()).isEqualTo("CUT_CONNECTION_DOWNSTREAM");
        assertThat(fieldNames(expect(f.get("/proxies"), 200))).containsExactly("Redis:6379", "a", "b");
        assertThat(expect(f.get("/proxies/Redis:6379/toxics/CUT_CONNECTION_DOWNSTREAM"), 200)).isEqualTo(cut);
        JsonNode config = expect(f.get("/v1/config"), 200);
        String listener = config.at("/listeners/2/name").asText();
        String rule = config.at("/rules/1/name").asText();
        assertThat(listener).matches("redis-6379-[0-9a-f]{8}");
        assertThat(rule).startsWith(listener + ".cut_connection_downstream-");
        expect(f.call("DELETE", "/proxies/Redis:6379", null), 204);
        assertThat(fieldNames(expect(f.get("/proxies"), 200))).containsExactly("a", "b");
        assertThat(expect(f.get("/v1/config"), 200).path("rules").findValuesAsText("name")).containsExactly("b.slow");
    }

    @Test
    void nativeRulesShowAsToxicsOfTheirProxies() {
        String up = f.upstream.address();
        String config = "{\"listeners\":[{\"name\":\"db\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + up + "\"},"
                + "{\"name\":\"web\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + up + "\"}],"
                + "\"rules\":[{\"name\":\"db-only\",\"listeners\":[\"db\"],\"probability\":0.5,\"stream\":\"upstream\","
                + "\"latency\":{\"fixed\":\"30ms\",\"distribution\":\"normal\",\"jitter\":\"2ms\"}},"
                + "{\"name\":\"everywhere\",\"latency\":{\"fixed\":\"1ms\"}}]}";
        expect(f.call("PUT", "/v1/config", config), 200);
        JsonNode db = expect(f.get("/proxies/db"), 200);
        assertThat(db.path("toxics").findValuesAsText("name")).containsExactly("db-only", "everywhere");
        JsonNode dbOnly = db.path("toxics").get(0);
        assertThat(dbOnly.path("type").asText()).isEqualTo("latency");
        assertThat(dbOnly.path("toxicity").asDouble()).isEqualTo(0.5);
        assertThat(dbOnly.at("/attributes/latency").asLong()).isEqualTo(30);
        assertThat(expect(f.get("/proxies/web/toxics"), 200).findValuesAsText("name")).containsExactly("everywhere");

        // A toxicity-only change keeps native settings Toxiproxy cannot express (the distribution).
        expect(f.call("PATCH", "/proxies/db/toxics/db-only", "{\"toxicity\":0.75}"), 200);
        JsonNode rule = expect(f.get("/v1/config"), 200).path("rules").get(0);
        assertThat(rule.path("probability").asDouble()).isEqualTo(0.75);
        assertThat(rule.at("/latency/distribution").asText()).isEqualTo("normal");

        // Removing a rule shared by every listener from one proxy keeps it on the others.
        expect(f.call("DELETE", "/proxies/web/toxics/everywhere", null), 204);
        assertThat(expect(f.get("/proxies/web/toxics"), 200).size()).isZero();
        assertThat(expect(f.get("/proxies/db/toxics"), 200).findValuesAsText("name")).containsExactly("db-only", "everywhere");
        JsonNode everywhere = expect(f.get("/v1/config"), 200).path("rules").get(1);
        assertThat(everywhere.path("listeners").get(0).asText()).isEqualTo("db");
        assertThat(everywhere.path("listeners").size()).isEqualTo(1);
    }

    @Test
    void populateCreatesOrReplacesAndAnswersLikeToxiproxy() throws Exception {
        expect(f.call("POST", "/proxies", proxy("keep")), 201);
        expect(f.call("POST", "/proxies/keep/toxics", "{\"type\":\"latency\"}"), 200);
        expect(f.call("POST", "/proxies", proxy("move")), 201);
        expect(f.call("POST", "/proxies/move/toxics", "{\"type\":\"latency\"}"), 200);
        String keepListen = expect(f.get("/proxies/keep"), 200).path("listen").asText();
        String other = "127.0.0.1:1";
        String body = "[{\"name\":\"keep\",\"listen\":\"" + keepListen + "\",\"upstream\":\"" + f.upstream.address() + "\"},"
                + "{\"name\":\"move\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + other + "\"},"
                + "{\"name\":\"new\",\"upstream\":\"" + f.upstream.address() + "\",\"enabled\":false}]";
        JsonNode out = expect(f.call("POST", "/populate", body), 201);
        assertThat(fieldNames(out)).containsExactly("proxies");
        JsonNode proxies = out.path("proxies");
        List<String> populated = new ArrayList<>();
        proxies.forEach(p -> populated.add(p.path("name").asText()));
        assertThat(populated).containsExactly("keep", "move", "new");
        assertThat(proxies.get(0).path("toxics").size()).isEqualTo(1); // unchanged: kept as it was
        assertThat(proxies.get(1).path("upstream").asText()).isEqualTo(other);
        assertThat(proxies.get(1).path("toxics").size()).isZero(); // replaced: a new proxy
        assertThat(proxies.get(2).path("enabled").asBoolean()).isFalse();
        assertThat(proxies.get(2).path("listen").asText()).isEqualTo("127.0.0.1:0");

        assertThat(error(f.call("POST", "/populate", "[" + proxy("ok") + ",{\"upstream\":\"127.0.0.1:1\"}]"), 400))
                .isEqualTo("missing required field: name at proxy 2");
        assertThat(error(f.call("POST", "/populate", "{}"), 400)).startsWith("bad request body");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String busy = "[" + proxy("fresh") + ",{\"name\":\"busy\",\"listen\":\"127.0.0.1:" + taken.getLocalPort()
                    + "\",\"upstream\":\"" + f.upstream.address() + "\"}]";
            JsonNode failed = expect(f.call("POST", "/populate", busy), 400);
            assertThat(failed.path("proxies").isArray()).isTrue();
            assertThat(failed.path("proxies").size()).isZero();
        }
        // All or nothing: "fresh" was not created.
        assertThat(fieldNames(expect(f.get("/proxies"), 200))).containsExactly("keep", "move", "new");
    }

    @Test
    void resetEnablesEveryProxyAndRemovesEveryToxic() {
        expect(f.call("POST", "/proxies", proxy("one")), 201);
        expect(f.call("POST", "/proxies", proxy("two")), 201);
        expect(f.call("POST", "/proxies/one/toxics", "{\"type\":\"latency\"}"), 200);
        expect(f.call("POST", "/proxies/two/toxics", "{\"type\":\"latency\",\"stream\":\"upstream\"}"), 200);
        expect(f.call("PATCH", "/proxies/two", "{\"enabled\":false}"), 200);
        expect(f.call("POST", "/reset", null), 204);
        for (JsonNode p : expect(f.get("/proxies"), 200)) {
            assertThat(p.path("enabled").asBoolean()).isTrue();
            assertThat(p.path("toxics").size()).isZero();
        }
        assertThat(expect(f.get("/v1/config"), 200).path("rules").size()).isZero();
    }

    @Test
    void browsersAreTurnedAwayLikeToxiproxyDoes() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.base + "/populate"))
                        .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)")
                        .header("Content-Type", "text/plain")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("[" + proxy("csrf") + "]")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(AdminFixture.JSON.readTree(r.body()).path("error").asText()).isEqualTo("User agent not allowed");
        assertThat(expect(f.get("/proxies"), 200).size()).isZero();
    }

    @Test
    void versionIsToxiproxyJson() {
        JsonNode v = expect(f.get("/version"), 200);
        assertThat(v.path("version").asText()).isEqualTo("2.12.0");
    }
}
