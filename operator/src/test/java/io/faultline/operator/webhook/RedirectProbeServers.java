package io.faultline.operator.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Run inside a network namespace by {@link TransparentRedirectNetnsTest}: an "app" on APP_PORT answering {@code app},
 * and a stand-in "sidecar" on LISTEN_PORT that asks the app on 127.0.0.1:APP_PORT and answers {@code sidecar>} + what
 * the app said. With three more arguments (OUT_PORT UPSTREAM_HOST UPSTREAM_PORT), a stand-in outbound listener on
 * 127.0.0.1:OUT_PORT that asks UPSTREAM_HOST:UPSTREAM_PORT and answers {@code sidecar>} + what the upstream said.
 * Prints {@code ready} once all listen.
 */
public final class RedirectProbeServers {
    private RedirectProbeServers() {
    }

    public static void main(String[] args) throws IOException {
        int appPort = Integer.parseInt(args[0]);
        int listenPort = Integer.parseInt(args[1]);
        ServerSocket app = listen(appPort);
        ServerSocket sidecar = listen(listenPort);
        serve(app, client -> client.getOutputStream().write("app\n".getBytes(StandardCharsets.US_ASCII)));
        serve(sidecar, client -> {
            try (Socket upstream = new Socket()) {
                upstream.connect(new InetSocketAddress("127.0.0.1", appPort), 2000);
                upstream.setSoTimeout(2000);
                String reply = readLine(upstream.getInputStream());
                OutputStream out = client.getOutputStream();
                out.write(("sidecar>" + reply + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        });
        if (args.length >= 5) {
            int outPort = Integer.parseInt(args[2]);
            InetSocketAddress upstream = new InetSocketAddress(args[3], Integer.parseInt(args[4]));
            ServerSocket outbound = new ServerSocket();
            outbound.setReuseAddress(true);
            outbound.bind(new InetSocketAddress("127.0.0.1", outPort));
            serve(outbound, client -> {
                try (Socket socket = new Socket()) {
                    socket.connect(upstream, 2000);
                    socket.setSoTimeout(2000);
                    String reply = readLine(socket.getInputStream());
                    client.getOutputStream().write(("sidecar>" + reply + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            });
        }
        System.out.println("ready");
        System.out.flush();
    }

    interface Handler {
        void handle(Socket client) throws IOException;
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("0.0.0.0", port));
        return server;
    }

    private static void serve(ServerSocket server, Handler handler) {
        Thread thread = new Thread(() -> {
            while (true) {
                try (Socket client = server.accept()) {
                    handler.handle(client);
                } catch (IOException e) {
                    // one failed exchange; keep serving
                }
            }
        });
        thread.start();
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.append((char) b);
        }
        return line.toString();
    }
}
