package io.faultline.operator.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The webhook's HTTPS endpoint: the JDK's HttpsServer, owned by the operator (not the Quarkus HTTP server), so that
 * the serving certificate the operator bootstraps and rotates itself ({@link io.faultline.operator.certs}) is used on
 * the next handshake without restarting anything, and health/metrics stay plain HTTP on the Quarkus port.
 * {@code POST /mutate-pods} takes an AdmissionReview; {@code GET /healthz} answers 200.
 */
public final class WebhookServer implements AutoCloseable {
    public static final String MUTATE_PATH = "/mutate-pods";
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpsServer server;
    private final ExecutorService executor;

    private WebhookServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static WebhookServer start(InetSocketAddress address, SSLContext ssl, AdmissionHandler handler, int threads)
            throws IOException {
        HttpsServer server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        ExecutorService executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "faultline-webhook");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext(MUTATE_PATH, exchange -> serve(exchange, handler));
        server.createContext("/healthz", exchange -> respond(exchange, 200, "{\"status\":\"ok\"}"));
        server.start();
        return new WebhookServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, AdmissionHandler handler) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "{\"error\":\"use POST with an AdmissionReview\",\"status\":405}");
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (body.length > MAX_BODY_BYTES) {
                respond(exchange, 413, "{\"error\":\"AdmissionReview larger than " + MAX_BODY_BYTES + " bytes\",\"status\":413}");
                return;
            }
            AdmissionHandler.Answer answer = handler.handle(body);
            respond(exchange, answer.status(), JSON.writeValueAsString(answer.body()));
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
