package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real upstream for socket tests (JDK HTTP server): a small JSON API, an echo of what arrived,
 * an upload digest and a chunked streaming endpoint. Counts every request it receives per path.
 */
final class TestHttpUpstream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Without it the JDK server's header and body writes meet delayed ACKs: 40 ms per response.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    final AtomicLong requests = new AtomicLong();
    final Map<String, AtomicLong> byPath = new ConcurrentHashMap<>();

    TestHttpUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    long count(String path) {
        return byPath.getOrDefault(path, new AtomicLong()).get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String path = ex.getRequestURI().getPath();
        byPath.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
        try (ex) {
            byte[] body = readAll(ex.getRequestBody());
            switch (path) {
                case "/api/items" -> json(ex, 200, JSON.createObjectNode().put("items", 3).put("method", ex.getRequestMethod()));
                case "/echo" -> {
                    ObjectNode n = JSON.createObjectNode().put("method", ex.getRequestMethod())
                            .put("uri", ex.getRequestURI().toString())
                            .put("body", new String(body, StandardCharsets.UTF_8));
                    ObjectNode h = n.putObject("headers");
                    ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
                    json(ex, 200, n);
                }
                case "/upload" -> json(ex, 200, JSON.createObjectNode().put("bytes", body.length).put("sha256", sha256(body)));
                case "/stream" -> {
                    int chunks = Integer.parseInt(query(ex, "chunks", "10"));
                    int size = Integer.parseInt(query(ex, "size", "1000"));
                    ex.getResponseHeaders().set("content-type", "application/octet-stream");
                    ex.sendResponseHeaders(200, 0); // chunked
                    OutputStream out = ex.getResponseBody();
                    for (int i = 0; i < chunks; i++) {
                        byte[] chunk = new byte[size];
                        java.util.Arrays.fill(chunk, (byte) ('a' + i % 26));
                        out.write(chunk);
                        out.flush();
                    }
                }
                case "/healthz" -> text(ex, 200, "ok");
                default -> text(ex, 404, "no such path: " + path);
            }
        }
    }

    private static String query(HttpExchange ex, String name, String dflt) {
        String q = ex.getRequestURI().getQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                if (kv.startsWith(name + "=")) {
                    return kv.substring(name.length() + 1);
                }
            }
        }
        return dflt;
    }

    private static void json(HttpExchange ex, int status, ObjectNode n) throws IOException {
        ex.getResponseHeaders().set("content-type", "application/json");
        send(ex, status, JSON.writeValueAsBytes(n));
    }

    private static void text(HttpExchange ex, int status, String s) throws IOException {
        ex.getResponseHeaders().set("content-type", "text/plain");
        send(ex, status, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("content-length", String.valueOf(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
