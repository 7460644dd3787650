import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The local demo: a tiny HTTP upstream, the real sidecar jar with src/examples/demo.yaml, requests
 * through it with and without faults, and a live change through the admin API.
 *
 * Run from the repository root:  java src/demo/Demo.java [--keep-running]
 * (after ./mvnw -q -B package -DskipTests -pl sidecar has built sidecar/target/faultline-sidecar.jar)
 */
public class Demo {
    static final String ADMIN = "http://127.0.0.1:15000";

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("sidecar/target/faultline-sidecar.jar");
        if (!Files.exists(jar)) {
            System.err.println("Build the sidecar first: ./mvnw -q -B package -DskipTests -pl sidecar");
            System.exit(2);
        }
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 18080), 50);
        upstream.createContext("/", ex -> {
            byte[] body = "hello from the upstream\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.start();
        System.out.println("upstream: http://127.0.0.1:18080 (a tiny HTTP server)");

        Process sidecar = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx64m", "-jar", jar.toString(),
                "--config", "src/examples/demo.yaml", "--admin", "127.0.0.1:15000", "--seed", "42")
                .inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sidecar.destroy();
            upstream.stop(0);
        }));
        HttpClient admin = HttpClient.newHttpClient();
        waitReady(admin, sidecar);
        for (int i = 0; i < 30; i++) {
            measure(null, 15080, 1); // warm the JIT up, so the figures below show the faults, not start-up
        }

        System.out.println("\n1) Same upstream, two listeners (src/examples/demo.yaml):");
        measure("clean  127.0.0.1:15080", 15080, 5);
        measure("slow   127.0.0.1:15081 (latency 200ms ± 50ms, normal)", 15081, 5);

        System.out.println("\n2) Live change through the admin API (PUT /v1/config): the clean listener now gets");
        System.out.println("   a 300 ms latency on half of its connections (probability 0.5, drawn per connection):");
        String live = """
                version: "demo-2"
                listeners:
                  - {name: clean, listen: 127.0.0.1:15080, upstream: 127.0.0.1:18080}
                  - {name: slow, listen: 127.0.0.1:15081, upstream: 127.0.0.1:18080}
                rules:
                  - {name: coin-flip, listeners: [clean], probability: 0.5, latency: {fixed: 300ms}}
                """;
        HttpResponse<String> put = admin.send(HttpRequest.newBuilder(URI.create(ADMIN + "/v1/config"))
                .PUT(HttpRequest.BodyPublishers.ofString(live)).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("   PUT /v1/config -> " + put.statusCode());
        measure("clean  127.0.0.1:15080", 15080, 10);

        System.out.println("\n3) A bad config is refused with the field named; the old one stays in force:");
        HttpResponse<String> bad = admin.send(HttpRequest.newBuilder(URI.create(ADMIN + "/v1/config"))
                .PUT(HttpRequest.BodyPublishers.ofString(live.replace("300ms", "300 parsecs"))).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("   PUT /v1/config -> " + bad.statusCode() + " " + bad.body());

        System.out.println("\n4) The same proxies through the Toxiproxy-compatible API: GET /proxies");
        HttpResponse<String> proxies = admin.send(HttpRequest.newBuilder(URI.create(ADMIN + "/proxies")).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("   " + proxies.statusCode() + " " + proxies.body());

        if (Arrays.asList(args).contains("--keep-running")) {
            System.out.println("\nThe sidecar keeps running: curl http://127.0.0.1:15081/ ; admin API on " + ADMIN
                    + " (GET /v1/config, /v1/stats, /metrics). Ctrl-C stops everything.");
            sidecar.waitFor();
        } else {
            System.out.println("\nDone. Run with --keep-running to keep the sidecar up and try it yourself.");
            sidecar.destroy();
            sidecar.waitFor();
            upstream.stop(0);
        }
    }

    static void waitReady(HttpClient admin, Process sidecar) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (!sidecar.isAlive()) {
                System.err.println("the sidecar exited with " + sidecar.exitValue() + " (is port 15000, 15080 or 15081 taken?)");
                System.exit(1);
            }
            try {
                HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(ADMIN + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        System.err.println("the sidecar did not become ready");
        System.exit(1);
    }

    /** One request per connection (HTTP/1.0), so connection-level faults show per request. */
    static void measure(String label, int port, int requests) throws Exception {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.0\r\nHost: demo\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                String status = response.isEmpty() ? "closed" : response.substring(9, 12);
                line.append(String.format("%s %4d ms   ", status, (System.nanoTime() - start) / 1_000_000));
            }
        }
        if (label != null) {
            System.out.println("   " + label + ":\n     " + line);
        }
    }
}
