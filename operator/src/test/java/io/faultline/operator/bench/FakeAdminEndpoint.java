package io.faultline.operator.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for thousands of sidecars' admin APIs: GET says "no config yet", PUT echoes the version it was given. The
 * benchmarks that use it measure the operator, not the sidecar (real sidecar processes are PropagationBenchmark's job).
 */
final class FakeAdminEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    FakeAdminEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(threads);
        server.createContext("/v1/config", exchange -> {
            String version = "";
            if ("PUT".equals(exchange.getRequestMethod())) {
                try (InputStream body = exchange.getRequestBody()) {
                    version = JSON.readTree(body).path("version").asText("");
                }
            }
            answer(exchange, "{\"version\":\"" + version + "\"}");
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
