package io.faultline.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Container;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.testing.SidecarProcess;

/**
 * What the webhook injects, run for real: the sidecar jar started with the injected container's own arguments (only the
 * mounted paths swapped for temp files, and port 0 for the fixed ports), on the injected initial config. Proves the
 * flags are the sidecar's, the initial config passes its parser with the session's rules, and the token protects the
 * admin API that binds beyond loopback. (TCP faults only: this sidecar version rejects http listeners, which the
 * golden case active-session uses.)
 */
class InjectedSidecarRealProcessTest {
    private static final String TOKEN = "injected-token";
    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void theInjectedSidecarStartsOnItsInitialConfigWithTheSessionsRules(@TempDir Path temp) throws Exception {
        PodInjector.Result result = GoldenCase.load(GoldenFilesTest.ROOT.resolve("active-session-tcp")).run();
        Container sidecar = result.mutated().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(SidecarPods.SIDECAR_CONTAINER)).findFirst().orElseThrow();
        ObjectNode initial = (ObjectNode) GoldenCase.JSON.readTree(
                result.mutated().getMetadata().getAnnotations().get(InjectionAnnotations.INITIAL_CONFIG));
        initial.withArray("listeners").forEach(l -> ((ObjectNode) l).put("listen", "127.0.0.1:0")); // no fixed ports in tests
        Path config = Files.writeString(temp.resolve("initial.json"), initial.toString());
        Path token = Files.writeString(temp.resolve("token"), TOKEN + "\n");

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-jar", SidecarProcess.jar().toString()));
        for (String arg : sidecar.getArgs()) {
            command.add(switch (arg) {
                case SidecarContainers.TOKEN_FILE -> token.toString();
                case SidecarContainers.CONFIG_FILE -> config.toString();
                case "0.0.0.0:15000" -> "0.0.0.0:0";
                default -> arg;
            });
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        int adminPort = adminPort(process);
        HttpClient http = HttpClient.newHttpClient();
        String admin = "http://127.0.0.1:" + adminPort;

        assertThat(get(http, admin + "/readyz").statusCode()).isEqualTo(200);
        JsonNode inForce = GoldenCase.JSON.readTree(get(http, admin + "/v1/config").body());
        assertThat(inForce.path("version").asText()).isEqualTo(result.initialConfig().version());
        assertThat(inForce.path("rules").findValuesAsText("name")).containsExactly("checkout-lag.lag", "checkout-lag.cut",
                "checkout-lag.qos-bandwidth-down");
        assertThat(inForce.path("listeners").findValuesAsText("name")).containsExactly("http", "payments");

        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(admin + "/v1/config")).timeout(Duration.ofSeconds(5))
                .PUT(HttpRequest.BodyPublishers.ofString(initial.toString()));
        assertThat(http.send(put.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("no token").isEqualTo(401);
        assertThat(http.send(put.header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("the token from the injected token file").isEqualTo(200);
    }

    private static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The admin port from the json lifecycle line {@code admin_listening} (the injected sidecar logs JSON). */
    private static int adminPort(Process process) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.startsWith("{") && line.contains("\"admin_listening\"")) {
                        String address = GoldenCase.JSON.readTree(line).path("address").asText();
                        port.complete(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
                    }
                }
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("sidecar exited: " + lines));
        });
        reader.setDaemon(true);
        reader.start();
        return port.get(30, TimeUnit.SECONDS);
    }
}
