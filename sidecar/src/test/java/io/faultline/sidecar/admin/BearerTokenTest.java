package io.faultline.sidecar.admin;

import static io.faultline.sidecar.admin.AdminFixture.expect;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With a token set, every mutating call (native and Toxiproxy) needs it; reads do not. */
class BearerTokenTest {
    private static final String TOKEN = "s3cret-token";
    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture(TOKEN);
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void mutatingCallsNeedTheToken() {
        String config = "{\"version\":\"1\",\"listeners\":[]}";
        String proxy = "{\"name\":\"p\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + f.upstream.address() + "\"}";
        for (String[] call : new String[][] {
                {"PUT", "/v1/config", config}, {"POST", "/proxies", proxy}, {"POST", "/reset", ""},
                {"POST", "/populate", "[]"}, {"DELETE", "/proxies/p", null}}) {
            AdminFixture.Reply none = f.call(call[0], call[1], call[2], null);
            expect(none, 401);
            assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
            expect(f.call(call[0], call[1], call[2], "wrong"), 401);
            expect(f.call(call[0], call[1], call[2], TOKEN + "x"), 401);
        }
        assertThat(expect(f.get("/v1/config"), 200).path("version").asText()).isEmpty();
        assertThat(expect(f.get("/proxies"), 200).size()).isZero();

        expect(f.call("PUT", "/v1/config", config, TOKEN), 200);
        expect(f.call("POST", "/proxies", proxy, TOKEN), 201);
    }

    @Test
    void readsNeedNoToken() {
        for (String path : new String[] {"/healthz", "/v1/config", "/v1/stats", "/metrics", "/proxies", "/version"}) {
            assertThat(f.call("GET", path, null, null).status()).as(path).isEqualTo(200);
        }
    }
}
