package io.faultline.operator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Measures what an application client sees through a sidecar listener: the round trip of one small message. */
public final class TcpProbe {
    private TcpProbe() {
    }

    /** Connects, sends a line to the echo server behind the listener, and times until the echo is back. */
    public static Duration roundTrip(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(5000);
            byte[] message = "ping\n".getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            out.write(message);
            out.flush();
            InputStream in = socket.getInputStream();
            int received = 0;
            byte[] buffer = new byte[64];
            while (received < message.length) {
                int read = in.read(buffer);
                if (read < 0) {
                    throw new IOException("connection closed after " + received + " bytes");
                }
                received += read;
            }
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }

    /**
     * The fastest of a few round trips: a fault adds a floor to every one of them, while scheduling noise on a busy
     * machine only adds to some, so the minimum tells "no fault" apart from "fault" robustly.
     */
    public static Duration fastestOf(int port, int attempts) throws IOException {
        Duration fastest = null;
        for (int i = 0; i < attempts; i++) {
            Duration roundTrip = roundTrip(port);
            fastest = fastest == null || roundTrip.compareTo(fastest) < 0 ? roundTrip : fastest;
        }
        return fastest;
    }

    /** A port that was free a moment ago, for a listener the test declares. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
