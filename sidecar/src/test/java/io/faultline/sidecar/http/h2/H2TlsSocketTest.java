package io.faultline.sidecar.http.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.TestPki;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * h2 over TLS on a terminating http listener: ALPN decides HTTP/2 or HTTP/1.1 per client, h2 is
 * offered only when the upstream speaks it (plain h2c or tls:// with ALPN), faults act per stream.
 */
class H2TlsSocketTest {
    private static final long DELAY_MS = 1200;
    @TempDir
    Path dir;
    private final TestPki pki = new TestPki();
    private final InProcessSidecar sidecar = new InProcessSidecar(7);
    private H2TestUpstream upstream;
    private H2TestClient client;
    private Path cert;
    private Path key;

    H2TlsSocketTest() throws Exception {
    }

    @BeforeEach
    void certificates() throws Exception {
        cert = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
        TestPki.writePem(pki.server("edge.test"), cert, key);
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        sidecar.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    /** {@code upstreamUrl} may carry listener fields after it (see {@link #tlsUpstreamUrl}). */
    private void apply(String upstreamUrl, String extraTerminateTlsFields, String rules) throws Exception {
        sidecar.apply("""
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: %s, terminateTls: {certFile: "%s", keyFile: "%s"%s}}
                rules: %s
                """.formatted(upstreamUrl.startsWith("\"") ? upstreamUrl : "\"" + upstreamUrl + "\"",
                cert, key, extraTerminateTlsFields, rules));
    }

    /** A Netty client context trusting the test CA, offering {@code alpn} (none when empty). */
    private SslContext clientTls(String... alpn) throws Exception {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(pki.trustManagerFactory());
        if (alpn.length > 0) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        return b.build();
    }

    /** A TLS upstream for "localhost" whose ALPN offers {@code alpn}. */
    private H2TestUpstream tlsUpstream(String... alpn) throws Exception {
        X509Bundle server = pki.server("upstream.test");
        SslContext tls = SslContextBuilder.forServer(server.toKeyManagerFactory()).sslProvider(SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                .build();
        return new H2TestUpstream(tls, false);
    }

    private String tlsUpstreamUrl() throws Exception {
        return "\"tls://localhost:" + upstream.port() + "\", protocol: http, tls: {caFile: \"" + pki.writeCa(dir.resolve("ca.pem")) + "\"}";
    }

    private HttpClient jdkClient() throws Exception {
        return HttpClient.newBuilder().sslContext(pki.clientContext()).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    private HttpResponse<String> jdkGet(HttpClient c, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create("https://localhost:" + sidecar.port("web") + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private ListenerStats stats() {
        return sidecar.engine().listenerStats().get("web");
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anAlpnH2ClientIsServedAsHttp2AndLatencyAndAbortActOnItsStreams() throws Exception {
        upstream = new H2TestUpstream();
        apply("http://127.0.0.1:" + upstream.port(), "", """
                [{name: slow, match: {path: /slow}, latency: {fixed: %dms}},
                 {name: gone, match: {path: /gone}, abort: {status: 503, body: injected}}]""".formatted(DELAY_MS));
        client = new H2TestClient(sidecar.port("web"), clientTls("h2", "http/1.1"));
        assertThat(client.alpn()).isEqualTo("h2");

        assertThat(await(client.get("/warm-up")).header("x-upstream")).isEqualTo("yes");
        long start = System.nanoTime();
        CompletableFuture<H2TestClient.Response> slow = client.get("/slow");
        H2TestClient.Response fast = await(client.get("/fast"));
        assertThat(fast.status()).isEqualTo("200");
        assertThat(slow).as("the delayed stream is held while another stream of the connection goes on").isNotDone();
        H2TestClient.Response delayed = await(slow);
        assertThat(delayed.status()).isEqualTo("200");
        assertThat(TimeUnit.NANOSECONDS.toMillis(upstream.receivedOn("/slow").get(0).nanos() - start))
                .as("held before forwarding").isGreaterThanOrEqualTo(DELAY_MS);

        H2TestClient.Response aborted = await(client.get("/gone"));
        assertThat(aborted.status()).isEqualTo("503");
        assertThat(aborted.text()).isEqualTo("injected");
        assertThat(upstream.receivedOn("/gone")).isEmpty();

        assertThat(upstream.http1Requests).hasValue(0);
        assertThat(stats().http.h2Connections.sum()).isEqualTo(1);
        assertThat(stats().connectionsTotal.sum()).isEqualTo(1);
        assertThat(sidecar.engine().ruleStats().get("slow").injected.sum()).isEqualTo(1);
        assertThat(sidecar.engine().ruleStats().get("gone").injected.sum()).isEqualTo(1);
    }

    @Test
    void theJdkClientGetsHttp2FromAnH2cUpstreamAndHttp11FromAnHttp11OnlyUpstream() throws Exception {
        upstream = new H2TestUpstream();
        apply("http://127.0.0.1:" + upstream.port(), "", "[]");
        HttpResponse<String> viaH2 = jdkGet(jdkClient(), "/a");
        assertThat(viaH2.statusCode()).isEqualTo(200);
        assertThat(viaH2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(upstream.receivedOn("/a")).hasSize(1);
        upstream.close();

        // The same listener moved to an HTTP/1.1-only upstream: h2 is no longer offered to new clients.
        upstream = new H2TestUpstream(null, false);
        apply("http://127.0.0.1:" + upstream.port(), "", "[]");
        HttpResponse<String> viaH1 = jdkGet(jdkClient(), "/b");
        assertThat(viaH1.statusCode()).isEqualTo(200);
        assertThat(viaH1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(viaH1.body()).isEqualTo("http1 /b");
        assertThat(stats().http.h2Connections.sum()).isEqualTo(1);
    }

    @Test
    void h2ClientsReachATlsUpstreamThatAgreesOnH2ByAlpn() throws Exception {
        upstream = tlsUpstream("h2", "http/1.1");
        apply(tlsUpstreamUrl(), "", "[{name: slow, match: {path: /slow}, latency: {fixed: %dms}}]".formatted(DELAY_MS));
        client = new H2TestClient(sidecar.port("web"), clientTls("h2", "http/1.1"));
        assertThat(client.alpn()).isEqualTo("h2");
        byte[] body = new byte[200 * 1024];
        new java.util.Random(3).nextBytes(body);
        H2TestClient.Response echoed = await(client.send(H2TestClient.request("POST", "/echo"), body, null));
        assertThat(echoed.status()).isEqualTo("200");
        assertThat(echoed.body()).isEqualTo(body);
        assertThat(echoed.trailer("x-trailer")).isEqualTo("done");

        long start = System.nanoTime();
        H2TestClient.Response delayed = await(client.get("/slow"));
        assertThat(delayed.status()).isEqualTo("200");
        assertThat(TimeUnit.NANOSECONDS.toMillis(delayed.nanos() - start)).isGreaterThanOrEqualTo(DELAY_MS);
        assertThat(upstream.received).hasSize(2);
        assertThat(upstream.http1Requests).hasValue(0);
    }

    @Test
    void aTlsUpstreamWithoutH2MakesTheListenerOfferHttp11() throws Exception {
        upstream = tlsUpstream("http/1.1");
        apply(tlsUpstreamUrl(), "", "[]");
        HttpResponse<String> r = jdkGet(jdkClient(), "/c");
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.body()).isEqualTo("http1 /c");
    }

    @Test
    void anH2StreamToATlsUpstreamThatRefusesH2GetsA502SayingSo() throws Exception {
        upstream = tlsUpstream("http/1.1");
        apply(tlsUpstreamUrl(), "", "[]");
        // No ALPN from this client: it opens with the h2 preface (prior knowledge), which is sniffed.
        client = new H2TestClient(sidecar.port("web"), clientTls());
        assertThat(client.alpn()).isEmpty();
        H2TestClient.Response r = await(client.get("/d"));
        assertThat(r.status()).isEqualTo("502");
        assertThat(r.text()).isEqualTo("the upstream does not speak HTTP/2 over TLS (ALPN: http/1.1)\n");
        assertThat(upstream.http1Requests).as("nothing was sent to it as HTTP/1.1 either").hasValue(0);
        assertThat(stats().http.badGateway.sum()).isEqualTo(1);
    }

    @Test
    void alpnListsConfigureWhatIsOffered() throws Exception {
        upstream = new H2TestUpstream();
        apply("http://127.0.0.1:" + upstream.port(), ", alpn: [http/1.1]", "[]");
        HttpResponse<String> r = jdkGet(jdkClient(), "/e");
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.body()).isEqualTo("http1 /e");

        // alpn: [] = no ALPN; a client may still speak h2 with prior knowledge over TLS.
        apply("http://127.0.0.1:" + upstream.port(), ", alpn: []", "[]");
        client = new H2TestClient(sidecar.port("web"), clientTls("h2", "http/1.1"));
        assertThat(client.alpn()).isEmpty();
        assertThat(await(client.get("/f")).header("x-upstream")).isEqualTo("yes");
        assertThat(upstream.receivedOn("/f")).hasSize(1);
    }

    @Test
    void theUpstreamIsProbedOnceForManyClients() throws Exception {
        upstream = new H2TestUpstream();
        apply("http://127.0.0.1:" + upstream.port(), "", "[]");
        HttpClient c = jdkClient();
        for (int i = 0; i < 3; i++) {
            HttpClient fresh = jdkClient(); // a new TLS connection each time
            assertThat(jdkGet(fresh, "/p" + i).version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
        assertThat(jdkGet(c, "/q").version()).isEqualTo(HttpClient.Version.HTTP_2);
        // 4 client connections, each with its own upstream connection, plus the one probe.
        InProcessSidecar.eventually(5_000, () -> assertThat(upstream.connections).hasValue(5));
    }

    @Test
    void anUnreachableUpstreamIsNotTakenForAnHttp11OneClientsGetHttp11And502Meanwhile() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        apply("http://127.0.0.1:" + closedPort, "", "[]");
        HttpResponse<String> r = jdkGet(jdkClient(), "/down");
        assertThat(r.version()).as("h2 is not offered while unknown").isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.statusCode()).isEqualTo(502);

        // The upstream comes up on that port speaking h2c: the next client is asked about afresh and gets h2.
        upstream = new H2TestUpstream(closedPort);
        HttpResponse<String> later = jdkGet(jdkClient(), "/up");
        assertThat(later.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(later.statusCode()).isEqualTo(200);
    }

    @Test
    void aPriorKnowledgeClientOfAPlainListenerReachesATlsUpstreamOverH2() throws Exception {
        upstream = tlsUpstream("h2", "http/1.1");
        sidecar.apply("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: %s}]
                """.formatted(tlsUpstreamUrl()));
        client = new H2TestClient(sidecar.port("web"));
        H2TestClient.Response r = await(client.get("/g"));
        assertThat(r.status()).isEqualTo("200");
        assertThat(r.header("x-upstream")).isEqualTo("yes");
        assertThat(upstream.receivedOn("/g")).hasSize(1);
    }
}
