package io.faultline.sidecar.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A real upstream on 127.0.0.1 (port 0) for byte-exact proxy tests: each accepted connection
 * sends {@code sendBytes} of seeded pseudo-random data, half-closes, and hashes everything it
 * receives until the client's end of stream. Also usable as a plain echo server.
 */
public final class StreamPeer implements AutoCloseable {
    public enum Mode { SEND_AND_HASH, ECHO }

    /** What one connection received and sent. */
    public record Exchange(long received, String receivedSha256, long sent, String sentSha256) {
    }

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stream-peer");
        t.setDaemon(true);
        return t;
    });
    private final List<Future<Exchange>> exchanges = new CopyOnWriteArrayList<>();
    private final Mode mode;
    private final long sendBytes;
    private final long seed;

    public StreamPeer(Mode mode, long sendBytes, long seed) throws IOException {
        this.mode = mode;
        this.sendBytes = sendBytes;
        this.seed = seed;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
    }

    public static StreamPeer echo() throws IOException {
        return new StreamPeer(Mode.ECHO, 0, 0);
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The exchange of the n-th accepted connection, once it finished. */
    public Exchange exchange(int n, long timeout, TimeUnit unit) throws Exception {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (exchanges.size() <= n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("connection " + n + " never reached the upstream");
            }
            Thread.sleep(5);
        }
        return exchanges.get(n).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    public int accepted() {
        return exchanges.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                exchanges.add(pool.submit(() -> serve(s)));
            } catch (IOException e) {
                return;
            }
        }
    }

    private Exchange serve(Socket s) throws Exception {
        try (s) {
            if (mode == Mode.ECHO) {
                byte[] buf = new byte[16384];
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                long n = 0;
                int r;
                while ((r = in.read(buf)) > 0) {
                    out.write(buf, 0, r);
                    out.flush();
                    n += r;
                }
                s.shutdownOutput();
                return new Exchange(n, "", n, "");
            }
            Future<String[]> sender = pool.submit(() -> {
                String sha = sendPattern(s.getOutputStream(), sendBytes, seed);
                s.shutdownOutput();
                return new String[] {sha};
            });
            long[] count = new long[1];
            String receivedSha = hashUntilEnd(s.getInputStream(), count);
            String sentSha = sender.get(120, TimeUnit.SECONDS)[0];
            return new Exchange(count[0], receivedSha, sendBytes, sentSha);
        }
    }

    /** Writes {@code n} seeded pseudo-random bytes and returns their SHA-256. */
    public static String sendPattern(OutputStream out, long n, long seed) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[32 * 1024];
        long left = n;
        while (left > 0) {
            int len = (int) Math.min(chunk.length, left);
            random.nextBytes(chunk);
            md.update(chunk, 0, len);
            out.write(chunk, 0, len);
            left -= len;
        }
        out.flush();
        return HexFormat.of().formatHex(md.digest());
    }

    /** Hashes the stream until its end; {@code count[0]} gets the byte count. */
    public static String hashUntilEnd(InputStream in, long[] count) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        int r;
        while ((r = in.read(buf)) > 0) {
            md.update(buf, 0, r);
            count[0] += r;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
