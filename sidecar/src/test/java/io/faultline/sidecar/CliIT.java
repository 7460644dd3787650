package io.faultline.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.testing.SidecarProcess;
import io.faultline.sidecar.testing.StreamPeer;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The real jar, as a user runs it: flags, exit codes, start-up, and faults on real traffic. */
class CliIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void helpExitsZeroAndDescribesEveryFlag() throws Exception {
        SidecarProcess.Result r = SidecarProcess.run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.output()).contains("--config", "--admin", "--map", "--admin-token-file", "--seed", "--log-format");
    }

    @Test
    void badFlagsExitWithTwoAndNameTheProblem() throws Exception {
        assertExit2("--admin nope".split(" "), "--admin");
        assertExit2(new String[] {"--bogus"}, "unknown option '--bogus'");
        assertExit2(new String[] {"--map", "15001"}, "LISTEN=UPSTREAM");
        assertExit2(new String[] {"--map", "15001=ftp://x:1"}, "scheme 'ftp'");
        assertExit2(new String[] {"--seed", "abc"}, "--seed");
        assertExit2(new String[] {"--config", "/nonexistent/config.yaml"}, "cannot read");
        assertExit2(new String[] {"--admin", "0.0.0.0:0"}, "--admin-token-file");
        Path bad = SidecarProcess.tempFile("""
                listeners: [{name: a, listen: 127.0.0.1:0, upstream: 127.0.0.1:1}]
                rules: [{name: r, latency: {fixed: fast}}]
                """);
        assertExit2(new String[] {"--config", bad.toString()}, "rules[0].latency.fixed");
    }

    private static void assertExit2(String[] args, String expectedInMessage) throws Exception {
        SidecarProcess.Result r = SidecarProcess.run(args);
        assertThat(r.exitCode()).as("exit code of %s", String.join(" ", args)).isEqualTo(2);
        assertThat(r.output()).contains(expectedInMessage);
    }

    @Test
    void startedWithOnlyAdminItWaitsForConfigurationThenProxies() throws Exception {
        try (StreamPeer echo = StreamPeer.echo();
             SidecarProcess sidecar = SidecarProcess.start("--admin", "127.0.0.1:0", "--seed", "1")) {
            assertThat(send(HttpRequest.newBuilder(URI.create(sidecar.adminUrl() + "/readyz"))).statusCode()).isEqualTo(200);
            assertThat(send(HttpRequest.newBuilder(URI.create(sidecar.adminUrl() + "/v1/config"))).body())
                    .contains("\"listeners\":[]");
            HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(sidecar.adminUrl() + "/v1/config"))
                    .PUT(HttpRequest.BodyPublishers.ofString("""
                            version: "7"
                            listeners: [{name: echo, listen: 127.0.0.1:0, upstream: %s}]
                            rules: [{name: slow, latency: {fixed: 150ms}}]
                            """.formatted(echo.address()))));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(put.body()).contains("\"version\":\"7\"");
            int port = sidecar.listenerPort("echo");
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(5_000);
                assertThat(io.faultline.sidecar.testing.Wire.roundTripMillis(s)).isGreaterThanOrEqualTo(145);
            }
        }
    }

    @Test
    void mapFlagAndConfigFileStartListenersWithFaults() throws Exception {
        try (StreamPeer echo = StreamPeer.echo()) {
            Path config = SidecarProcess.tempFile("""
                    version: "file"
                    listeners: [{name: slow, listen: 127.0.0.1:0, upstream: %s}]
                    rules: [{name: lag, listeners: [slow], latency: {fixed: 120ms}}]
                    """.formatted(echo.address()));
            try (SidecarProcess sidecar = SidecarProcess.start("--admin", "127.0.0.1:0", "--config", config.toString(),
                    "--map", "127.0.0.1:0=" + echo.address(), "--log-format", "text")) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.listenerPort("slow"))) {
                    s.setSoTimeout(5_000);
                    assertThat(io.faultline.sidecar.testing.Wire.roundTripMillis(s)).isGreaterThanOrEqualTo(115);
                }
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.listenerPort("map-0"))) {
                    s.setSoTimeout(5_000);
                    assertThat(io.faultline.sidecar.testing.Wire.roundTripMillis(s)).isLessThan(115);
                }
            }
        }
    }

    @Test
    void aTokenFileGuardsMutatingCallsAndJsonLogsAreOneObjectPerLine() throws Exception {
        Path token = SidecarProcess.tempFile("s3cret\n");
        try (SidecarProcess sidecar = SidecarProcess.start("--admin", "127.0.0.1:0", "--admin-token-file",
                token.toString(), "--log-format", "json")) {
            String body = "listeners: []\n";
            URI config = URI.create(sidecar.adminUrl() + "/v1/config");
            assertThat(send(HttpRequest.newBuilder(config).PUT(HttpRequest.BodyPublishers.ofString(body))).statusCode())
                    .isEqualTo(401);
            assertThat(send(HttpRequest.newBuilder(config).header("Authorization", "Bearer wrong")
                    .PUT(HttpRequest.BodyPublishers.ofString(body))).statusCode()).isEqualTo(401);
            assertThat(send(HttpRequest.newBuilder(config).header("Authorization", "Bearer s3cret")
                    .PUT(HttpRequest.BodyPublishers.ofString(body))).statusCode()).isEqualTo(200);
            assertThat(send(HttpRequest.newBuilder(config)).statusCode()).as("reads need no token").isEqualTo(200);
            assertThat(sidecar.lines()).anySatisfy(l -> assertThat(l).startsWith("{\"ts\":").contains("\"event\":\"started\""));
        }
    }
}
