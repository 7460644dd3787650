package io.faultline.operator.sidecar;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Talks to one sidecar's admin API: reads the version in force, replaces the config. */
public class SidecarAdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final Supplier<Optional<String>> token;
    private final Duration timeout;

    public SidecarAdminClient(Optional<String> token, Duration timeout) {
        this(() -> token, timeout);
    }

    /** With the token read at each call (it may only be known once the API server answered, see SidecarToken). */
    public SidecarAdminClient(Supplier<Optional<String>> token, Duration timeout) {
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The version of the config in force, from GET /v1/config (empty when the sidecar has none). */
    public Optional<String> currentVersion(String baseUri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(baseUri + "/v1/config").GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /v1/config answered " + response.statusCode() + ": " + abbreviate(response.body()));
        }
        JsonNode version = JSON.readTree(response.body()).path("version");
        return version.isTextual() && !version.asText().isEmpty() ? Optional.of(version.asText()) : Optional.empty();
    }

    /**
     * PUT /v1/config. Returns the version the sidecar echoes. A 4xx answer (the sidecar rejected the config, or the
     * token) throws {@link RejectedException}: retrying will not help. Other failures throw IOException.
     */
    public String putConfig(String baseUri, byte[] json) throws IOException, InterruptedException {
        HttpRequest request = request(baseUri + "/v1/config")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400 && response.statusCode() < 500) {
            throw new RejectedException("sidecar rejected the config (" + response.statusCode() + "): " + errorOf(response.body()));
        }
        if (response.statusCode() != 200) {
            throw new IOException("PUT /v1/config answered " + response.statusCode() + ": " + abbreviate(response.body()));
        }
        return JSON.readTree(response.body()).path("version").asText(null);
    }

    private HttpRequest.Builder request(String uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(uri)).timeout(timeout);
        token.get().ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    private static String errorOf(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            return error.isTextual() ? error.asText() : abbreviate(body);
        } catch (IOException e) {
            return abbreviate(body);
        }
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    /** The sidecar answered 4xx: the config or the credentials are wrong, a retry would fail the same way. */
    public static final class RejectedException extends IOException {
        public RejectedException(String message) {
            super(message);
        }
    }
}
