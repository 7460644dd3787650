package io.faultline.sidecar.admin;

import static io.faultline.sidecar.admin.AdminFixture.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.sidecar.testing.TestPki;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** terminateTls through PUT/GET /v1/config: rendered back, unusable files answered with 400. */
class TlsTerminationApiTest {
    @TempDir
    Path dir;

    private static String config(String version, String upstream, Path cert, Path key) {
        return """
                {"version": "%s", "listeners": [{"name": "edge", "listen": "127.0.0.1:0", "upstream": "%s",
                  "terminateTls": {"certFile": "%s", "keyFile": "%s"}}]}
                """.formatted(version, upstream, cert, key);
    }

    @Test
    void aBadCertificateIsA400NamingTheFieldAndTheOldConfigStays() throws Exception {
        TestPki pki = new TestPki();
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        TestPki.writePem(pki.server("edge.test"), cert, key);
        Path otherKey = dir.resolve("other.key");
        TestPki.replace(otherKey, pki.server("other.test").getPrivateKeyPEM());
        try (AdminFixture f = new AdminFixture()) {
            String upstream = f.upstream.address();
            JsonNode put = expect(f.call("PUT", "/v1/config", config("1", upstream, cert, key)), 200);
            assertThat(put.at("/listeners/0/terminateTls/certFile").asText()).isEqualTo(cert.toString());
            assertThat(put.at("/listeners/0/terminateTls/keyFile").asText()).isEqualTo(key.toString());

            JsonNode bad = expect(f.call("PUT", "/v1/config", config("2", upstream, cert, otherKey)), 400);
            assertThat(bad.path("field").asText()).isEqualTo("listeners[0].terminateTls.keyFile");
            assertThat(bad.path("error").asText()).contains("does not belong to the certificate");
            JsonNode missing = expect(f.call("PUT", "/v1/config",
                    config("3", upstream, dir.resolve("nope.crt"), key)), 400);
            assertThat(missing.path("field").asText()).isEqualTo("listeners[0].terminateTls.certFile");

            JsonNode now = expect(f.get("/v1/config"), 200);
            assertThat(now.path("version").asText()).isEqualTo("1");
            assertThat(now.at("/listeners/0/terminateTls/keyFile").asText()).isEqualTo(key.toString());
            JsonNode stats = expect(f.get("/v1/stats"), 200);
            assertThat(stats.at("/listeners/edge/terminateTls/certificateReloadFailures").asLong()).isZero();
            assertThat(f.get("/metrics").body())
                    .contains("faultline_listener_certificate_reloads_total{listener=\"edge\",outcome=\"ok\"} 0");
        }
    }
}
