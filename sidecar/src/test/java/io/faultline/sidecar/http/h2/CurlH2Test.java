package io.faultline.sidecar.http.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.sidecar.testing.InProcessSidecar;
import io.faultline.sidecar.testing.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three ways a client gets HTTP/2, as curl does them: ALPN over TLS ({@code --http2} to https),
 * prior knowledge ({@code --http2-prior-knowledge}), and {@code Upgrade: h2c} ({@code --http2} to http),
 * which the sidecar declines: the request goes on as HTTP/1.1, without the upgrade headers.
 */
class CurlH2Test {
    @TempDir
    Path dir;
    private final TestPki pki = new TestPki();
    private final InProcessSidecar sidecar = new InProcessSidecar(11);
    private H2TestUpstream upstream;
    private Path ca;

    CurlH2Test() throws Exception {
    }

    @BeforeEach
    void setUp() throws Exception {
        upstream = new H2TestUpstream();
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        TestPki.writePem(pki.server("edge.test"), cert, key);
        ca = pki.writeCa(dir.resolve("ca.pem"));
        sidecar.apply("""
                listeners:
                  - {name: plain, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:%d"}
                  - {name: tls, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:%d",
                     terminateTls: {certFile: "%s", keyFile: "%s"}}
                rules: [{name: gone, match: {path: /gone}, abort: {status: 503, body: injected}}]
                """.formatted(upstream.port(), upstream.port(), cert, key));
    }

    @AfterEach
    void tearDown() {
        sidecar.close();
        upstream.close();
    }

    /** curl's output: the body, then a line with the HTTP version and the status. */
    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-w", "\n%{http_version} %{http_code}"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("curl finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("curl exit status; output: " + out).isZero();
        return out;
    }

    private static void assumeCurlWithHttp2() {
        String features;
        try {
            Process p = new ProcessBuilder("curl", "-V").redirectErrorStream(true).start();
            features = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            features = "";
        }
        assumeTrue(features.contains("HTTP2"), "skipped: no curl with HTTP2 support on this machine (curl -V)");
    }

    @Test
    void curlHttp2OverTlsNegotiatesH2ByAlpnAndFaultsActOnItsStreams() throws Exception {
        assumeCurlWithHttp2();
        String url = "https://localhost:" + sidecar.port("tls");
        assertThat(curl("--http2", "--cacert", ca.toString(), url + "/a")).isEqualTo("\n2 200");
        assertThat(upstream.receivedOn("/a")).hasSize(1);
        assertThat(curl("--http2", "--cacert", ca.toString(), url + "/gone")).isEqualTo("injected\n2 503");
        assertThat(upstream.receivedOn("/gone")).isEmpty();
        // -k without the CA too, as the brief's users type it.
        assertThat(curl("--http2", "-k", url + "/b")).isEqualTo("\n2 200");
    }

    @Test
    void curlWithPriorKnowledgeSpeaksH2c() throws Exception {
        assumeCurlWithHttp2();
        assertThat(curl("--http2-prior-knowledge", "http://127.0.0.1:" + sidecar.port("plain") + "/c"))
                .isEqualTo("\n2 200");
        assertThat(upstream.receivedOn("/c")).hasSize(1);
    }

    @Test
    void curlsUpgradeToH2cIsDeclinedAndTheRequestGoesOnAsHttp11() throws Exception {
        assumeCurlWithHttp2();
        assertThat(curl("--http2", "http://127.0.0.1:" + sidecar.port("plain") + "/d")).isEqualTo("http1 /d\n1.1 200");
        assertThat(upstream.http1Headers).hasSize(1);
        assertThat(upstream.http1Headers.get(0).names()).map(String::toLowerCase)
                .doesNotContain("upgrade", "http2-settings");
    }

    @Test
    void anUpgradeToH2cIsDeclinedOnARawConnectionThatThenStaysHttp11() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("plain"))) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /e HTTP/1.1\r\nHost: svc\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").endsWith("http1 /e");
            out.write("GET /f HTTP/1.1\r\nHost: svc\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").endsWith("http1 /f");
        }
        assertThat(upstream.http1Headers).hasSize(2);
        assertThat(upstream.http1Headers.get(0).names()).map(String::toLowerCase)
                .doesNotContain("upgrade", "http2-settings");
        assertThat(upstream.http1Headers.get(0).get("connection")).isNull();
        assertThat(sidecar.engine().listenerStats().get("plain").http.upgraded.sum()).isZero();
    }

    /** One response with Content-Length, head and body. */
    private static String readResponse(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("response head complete").isNotNegative();
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }
}
