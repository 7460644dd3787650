package io.faultline.sidecar.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Seeded generator of HTTP/1.1 requests: valid ones of many shapes, and mutations of them that
 * break the request line, headers or body framing in the ways parsers get wrong.
 */
final class RequestFuzzer {
    private static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "get", "G ET",
        "CONNECT", "\0GET", "PRI"};
    private static final String[] PATHS = {"/api/items", "/echo", "/healthz", "/upload", "/api/items?x=1&y=%zz",
        "*", "http://test/echo", "/%00", "/" + "a".repeat(300), "", "/a b", "/\u00e9"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.x", "HTTP/9.9", "http/1.1", ""};
    private final SplittableRandom random;

    RequestFuzzer(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A well-formed request (answered 200 by the test upstream, or 503 by the canary rule). */
    byte[] valid() {
        return switch (random.nextInt(5)) {
            case 0 -> ascii("GET /api/items HTTP/1.1\r\nHost: t\r\nx-n: " + random.nextInt() + "\r\n\r\n");
            case 4 -> ascii("GET /api/items HTTP/1.1\r\nHost: t\r\nx-canary: true\r\n\r\n");
            case 1 -> {
                String body = "b".repeat(random.nextInt(200));
                yield ascii("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            }
            case 2 -> ascii("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n1;ext=1\r\nd\r\n0\r\n\r\n"); // no trailers: the JDK server closes on them
            default -> ascii("HEAD /api/items HTTP/1.1\r\nHost: t\r\n\r\n");
        };
    }

    /** Mostly valid requests, one in {@code oneIn} random or mutated. */
    byte[] mostlyValid(int oneIn) {
        return random.nextInt(oneIn) == 0 ? next() : valid();
    }

    /** A random request: sometimes valid, mostly mutated. */
    byte[] next() {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return valid();
        }
        if (kind <= 3) {
            return mutate(valid());
        }
        if (kind <= 6) {
            return structured();
        }
        return mutate(structured());
    }

    /** Request line and headers assembled from odd parts. */
    private byte[] structured() {
        StringBuilder sb = new StringBuilder();
        sb.append(pick(METHODS)).append(' ').append(pick(PATHS)).append(' ').append(pick(VERSIONS)).append("\r\n");
        int headers = random.nextInt(6);
        boolean host = random.nextInt(5) != 0;
        if (host) {
            sb.append("Host: t\r\n");
        }
        String body = "";
        for (int i = 0; i < headers; i++) {
            switch (random.nextInt(12)) {
                case 0 -> sb.append("Content-Length: ").append(random.nextInt(40) - 5).append("\r\n");
                case 1 -> sb.append("Transfer-Encoding: chunked\r\n");
                case 2 -> sb.append("Transfer-Encoding: gzip, chunked\r\n");
                case 3 -> sb.append("Expect: 100-continue\r\n");
                case 4 -> sb.append("Expect: something-else\r\n");
                case 5 -> sb.append("Connection: close\r\n");
                case 6 -> sb.append("Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n");
                case 7 -> sb.append(" folded: continuation\r\n");
                case 8 -> sb.append("X-Big: ").append("v".repeat(random.nextInt(20_000))).append("\r\n");
                case 9 -> sb.append("Bad Name: v\r\n");
                case 10 -> sb.append("x-canary: true\r\n");
                default -> sb.append("Content-Length: 4\r\nContent-Length: 5\r\n");
            }
        }
        sb.append("\r\n");
        if (random.nextBoolean()) {
            body = random.nextBoolean() ? "5\r\nhello\r\n0\r\n\r\n" : "zz\r\nnot hex\r\n";
        }
        sb.append(body);
        return ascii(sb.toString());
    }

    private byte[] mutate(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(in, 0, in.length);
        byte[] b = out.toByteArray();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b = splice(b, at, new byte[] {(byte) random.nextInt(256)}, 0);
                case 2 -> b = splice(b, at, new byte[0], Math.min(b.length - at, 1 + random.nextInt(8)));
                case 3 -> b = splice(b, at, ascii("\r\n"), 0);
                case 4 -> b = splice(b, at, ascii("\n"), 0);
                default -> b = splice(b, at, ascii(":" + " ".repeat(random.nextInt(3))), 0);
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert, int remove) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
