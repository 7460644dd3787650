package io.faultline.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transparent-mode rules applied for real: a network namespace stands for the pod (veth to the host), the
 * commands of {@link IptablesRules} run in it exactly as the init container runs them, and a client outside connects
 * to the app port. Outbound: the pod's stand-in sidecar runs as the sidecar's UID (as in the pod) and an upstream
 * listens on the host side of the veth; the "app" dials it from inside the pod as root. Needs root, {@code ip},
 * {@code iptables} and {@code setpriv}; skipped otherwise (with the reason).
 */
class TransparentRedirectNetnsTest {
    private static final int APP_PORT = 8080;
    private static final int LISTEN_PORT = 18080;

    private final String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    private final String namespace = "fl-test-" + suffix;
    private final String hostSide = "flh" + suffix;
    private final String podSide = "flp" + suffix;
    private final int subnet = ThreadLocalRandom.current().nextInt(1, 250);
    private final String podIp = "10.213." + subnet + ".2";
    private final String hostIp = "10.213." + subnet + ".1";
    private static final int OUT_LISTEN_PORT = 15002;
    private static final long SIDECAR_UID = InjectionSettings.defaults("faultline-system").sidecarUid();
    private Process servers;
    private ServerSocket upstream;
    private ServerSocket otherUpstream;

    @BeforeEach
    void createPodNamespace() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root to create network namespaces (runs as "
                + System.getProperty("user.name") + ")");
        assumeTrue(onPath("ip") && onPath("iptables") && onPath("setpriv"),
                "skipped: needs 'ip' (iproute2), 'iptables' and 'setpriv' (util-linux) on PATH (apt-get install iptables iproute2)");
        assumeTrue(run("ip", "netns", "add", namespace).exitCode == 0, "skipped: 'ip netns add' is not permitted here");
        must("ip", "link", "add", hostSide, "type", "veth", "peer", "name", podSide);
        must("ip", "link", "set", podSide, "netns", namespace);
        must("ip", "addr", "add", "10.213." + subnet + ".1/30", "dev", hostSide);
        must("ip", "link", "set", hostSide, "up");
        must("ip", "netns", "exec", namespace, "ip", "addr", "add", podIp + "/30", "dev", podSide);
        must("ip", "netns", "exec", namespace, "ip", "link", "set", podSide, "up");
        must("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
        upstream = answering(hostIp, "upstream");
        otherUpstream = answering(hostIp, "other");
        // the stand-in sidecar runs as the sidecar's UID, as in the pod: the outbound rules recognise it by that
        String classes = Path.of(RedirectProbeServers.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        servers = new ProcessBuilder("ip", "netns", "exec", namespace, "setpriv", "--reuid=" + SIDECAR_UID, "--regid=" + SIDECAR_UID,
                "--clear-groups", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classes,
                RedirectProbeServers.class.getName(), String.valueOf(APP_PORT), String.valueOf(LISTEN_PORT),
                String.valueOf(OUT_LISTEN_PORT), hostIp, String.valueOf(upstream.getLocalPort())).redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(servers.getInputStream(), StandardCharsets.UTF_8));
        assertThat(output.readLine()).as("servers in the pod namespace started").isEqualTo("ready");
    }

    @AfterEach
    void removePodNamespace() throws Exception {
        if (servers != null) {
            servers.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ServerSocket server : new ServerSocket[] {upstream, otherUpstream}) {
            if (server != null) {
                server.close();
            }
        }
        run("ip", "netns", "del", namespace); // takes the veth pair with it
        run("ip", "link", "del", hostSide);
    }

    @Test
    void inboundTrafficReachesTheSidecarAndTheSidecarReachesTheAppWithoutBeingRedirectedAgain() throws Exception {
        assertThat(ask(APP_PORT)).as("before the rules, the app answers itself").isEqualTo("app");

        for (List<String> command : IptablesRules.inbound(List.of(new InboundPort("http", "app", "http", APP_PORT, LISTEN_PORT, null)))) {
            List<String> inPod = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            inPod.addAll(command);
            must(inPod.toArray(new String[0]));
        }

        // from outside the pod, the app port now lands on the sidecar, whose own connection to 127.0.0.1:8080 reaches
        // the app (a second redirect would send it back to the sidecar: "sidecar>sidecar>..." or a timeout)
        assertThat(ask(APP_PORT)).isEqualTo("sidecar>app");
        assertThat(ask(LISTEN_PORT)).isEqualTo("sidecar>app");
    }

    @Test
    void theAppsOutboundConnectionsToAMappedPortReachTheSidecarWhoseOwnConnectionGoesOut() throws Exception {
        int port = upstream.getLocalPort();
        assertThat(askFromTheApp(port)).as("before the rules, the app reaches the upstream itself").isEqualTo("upstream");

        // the init container's script, as the webhook writes it for a transparent pod with a redirected outbound listener
        OutboundListener db = new OutboundListener("db", OUT_LISTEN_PORT + "=" + hostIp + ":" + port, OUT_LISTEN_PORT, "FAULTLINE_OUTBOUND_DB",
                port);
        String script = IptablesRules.script(IptablesRules.all(List.of(new InboundPort("http", "app", "http", APP_PORT, LISTEN_PORT, null)),
                List.of(db), SIDECAR_UID));
        must("ip", "netns", "exec", namespace, "sh", "-c", script);

        // the app still dials the upstream's address; it lands on the sidecar, whose own connection (its UID) is not
        // redirected again (that would answer "sidecar>sidecar>..." or time out)
        assertThat(askFromTheApp(port)).isEqualTo("sidecar>upstream");
        // other destination ports are left alone, and inbound interception still works next to it
        assertThat(askFromTheApp(otherUpstream.getLocalPort())).isEqualTo("other");
        assertThat(ask(APP_PORT)).isEqualTo("sidecar>app");
    }

    /** A line read by a client inside the pod running as root (the app), from hostIp:port. */
    private String askFromTheApp(int port) throws IOException, InterruptedException {
        Result result = run("ip", "netns", "exec", namespace, "timeout", "10", "bash", "-c",
                "exec 3<>/dev/tcp/" + hostIp + "/" + port + " && head -n 1 <&3");
        assertThat(result.exitCode).as("client in the pod: %s", result.output).isZero();
        return result.output.trim();
    }

    /** A server on the host side of the veth answering one line to each connection. */
    private static ServerSocket answering(String address, String line) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(address, 0));
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket client = server.accept()) {
                    client.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed at the end of the test, or one failed exchange
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return server;
    }

    private String ask(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(podIp, port), 3000);
            socket.setSoTimeout(5000);
            return RedirectProbeServers.readLine(socket.getInputStream());
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output + " (timed out)");
        }
        return new Result(process.exitValue(), output);
    }

    private static void must(String... command) throws IOException, InterruptedException {
        Result result = run(command);
        assertThat(result.exitCode).as("%s: %s", String.join(" ", command), result.output).isZero();
    }

    private static boolean onPath(String executable) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, executable))) {
                return true;
            }
        }
        return false;
    }
}
