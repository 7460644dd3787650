package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An http listener with terminateTls: HTTPS clients, per-request rules on the decrypted requests. */
class HttpTlsTerminationTest {
    @TempDir
    Path dir;
    private final TestPki pki = new TestPki();
    private final TestHttpUpstream upstream = new TestHttpUpstream();
    private final InProcessSidecar sidecar = new InProcessSidecar(3);

    HttpTlsTerminationTest() throws Exception {
    }

    @AfterEach
    void tearDown() {
        sidecar.close();
        upstream.close();
    }

    @Test
    void httpsRequestsOnOneKeepAliveConnectionAreProxiedAndMatchedPerRequest() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        TestPki.writePem(pki.server("api.test"), cert, key);
        sidecar.apply("""
                listeners: [{name: web, listen: 127.0.0.1:0, upstream: "http://%s",
                             terminateTls: {certFile: "%s", keyFile: "%s"}}]
                rules: [{name: teapot, match: {path: /echo}, abort: {status: 418}}]
                """.formatted(upstream.address(), cert, key));
        HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        String base = "https://localhost:" + sidecar.port("web");

        HttpResponse<String> items = client.send(HttpRequest.newBuilder(URI.create(base + "/api/items"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(items.statusCode()).isEqualTo(200);
        assertThat(items.body()).contains("\"items\":3");
        assertThat(items.sslSession()).get().satisfies(s ->
                assertThat(s.getPeerPrincipal().getName()).isEqualTo("CN=api.test"));

        HttpResponse<String> aborted = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(aborted.statusCode()).isEqualTo(418);
        assertThat(upstream.count("/echo")).isZero();
        assertThat(upstream.count("/api/items")).isEqualTo(1);
        assertThat(sidecar.engine().listenerStats().get("web").connectionsTotal.sum())
                .as("both requests on one TLS connection").isEqualTo(1);
    }
}
