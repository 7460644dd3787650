package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.testing.InProcessSidecar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 1xx answers of a real upstream (a raw socket server that sends them) reach a real client through the proxy. */
class HttpInformationalSocketTest {

    @Test
    void continueAndEarlyHintsOfTheUpstreamReachTheClientInOrder() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             InProcessSidecar sidecar = new InProcessSidecar(1)) {
            sidecar.apply("""
                    listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:%d"}]
                    rules: []
                    """.formatted(server.getLocalPort()));
            CompletableFuture<String> upstreamSaw = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    String head = readHead(in);
                    out.write(ascii("HTTP/1.1 100 Continue\r\nX-From: upstream\r\n\r\n"));
                    out.flush();
                    String body = new String(in.readNBytes(5), StandardCharsets.US_ASCII);
                    out.write(ascii("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"));
                    out.flush();
                    out.write(ascii("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));
                    out.flush();
                    in.read(); // until the proxy closes or the test ends
                    return head + body;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), sidecar.port("web"))) {
                client.setSoTimeout(10_000);
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream();
                out.write(ascii("PUT /doc HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
                out.flush();
                // The client sends the body only once the upstream's 100 arrived.
                assertThat(readHead(in)).isEqualTo("HTTP/1.1 100 Continue\r\nX-From: upstream\r\n\r\n");
                out.write(ascii("hello"));
                out.flush();
                assertThat(readHead(in)).isEqualTo("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n");
                String finalHead = readHead(in);
                assertThat(finalHead).startsWith("HTTP/1.1 201 Created\r\n").containsIgnoringCase("content-length: 2");
                assertThat(new String(in.readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("ok");
                client.close();
                String saw = upstreamSaw.get(10, TimeUnit.SECONDS);
                assertThat(saw).startsWith("PUT /doc HTTP/1.1\r\n").containsIgnoringCase("expect: 100-continue")
                        .endsWith("\r\n\r\nhello");
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Bytes up to and including the blank line that ends a head. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String s = b.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
