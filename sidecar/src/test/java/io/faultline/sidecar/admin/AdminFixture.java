package io.faultline.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.sidecar.config.HostPort;
import io.faultline.sidecar.engine.Engine;
import io.faultline.sidecar.proxy.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/** An engine and its admin API in-process on 127.0.0.1 port 0, an echo upstream, and an HTTP client. */
final class AdminFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Engine engine;
    final AdminServer admin;
    final EchoServer upstream;
    final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminFixture() throws Exception {
        this(null);
    }

    AdminFixture(String token) throws Exception {
        this.token = token;
        Transport transport = Transport.best();
        engine = new Engine(transport, 2, 42L, Clock.systemUTC());
        admin = new AdminServer(engine, new HostPort("127.0.0.1", 0), token, transport);
        base = "http://" + admin.start();
        upstream = new EchoServer();
    }

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Reply call(String method, String path, String body) {
        return call(method, path, body, token);
    }

    Reply call(String method, String path, String body, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    Reply get(String path) {
        return call("GET", path, null);
    }

    /** Asserts the status and, for errors, Toxiproxy's error shape {"error": ..., "status": N}. */
    static JsonNode expect(Reply r, int status) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
        if (status >= 400) {
            JsonNode j = r.json();
            assertThat(j.path("status").asInt()).isEqualTo(status);
            assertThat(j.path("error").asText()).isNotBlank();
            return j;
        }
        return r.body().isEmpty() ? null : r.json();
    }

    /** Sends a line through {@code address} (host:port) and returns what came back. */
    static String roundTrip(String address, String line) throws IOException {
        try (Socket s = connect(address)) {
            return roundTrip(s, line);
        }
    }

    static Socket connect(String address) throws IOException {
        HostPort hp = HostPort.parse(address);
        Socket s = new Socket();
        s.connect(new InetSocketAddress(hp.host(), hp.port()), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    static String roundTrip(Socket s, String line) throws IOException {
        byte[] out = (line + "\n").getBytes(StandardCharsets.UTF_8);
        OutputStream os = s.getOutputStream();
        os.write(out);
        os.flush();
        InputStream in = s.getInputStream();
        byte[] got = new byte[out.length];
        int off = 0;
        while (off < got.length) {
            int n = in.read(got, off, got.length - off);
            if (n < 0) {
                throw new IOException("closed after " + off + " bytes");
            }
            off += n;
        }
        return new String(got, StandardCharsets.UTF_8).trim();
    }

    @Override
    public void close() throws Exception {
        admin.close();
        engine.close();
        upstream.close();
    }
}
