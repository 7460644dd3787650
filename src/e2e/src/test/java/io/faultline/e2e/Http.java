package io.faultline.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Real requests through a pod's sidecar listener: status, body and how long each took. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record Answer(int status, String body, Duration took, String error) {
        boolean ok() {
            return error == null && status == 200;
        }
    }

    private Http() {
    }

    static Answer get(String host, int port, String path) {
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), Duration.ofNanos(System.nanoTime() - started), null);
        } catch (IOException e) {
            return new Answer(-1, "", Duration.ofNanos(System.nanoTime() - started), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "", Duration.ofNanos(System.nanoTime() - started), e.toString());
        }
    }
}
