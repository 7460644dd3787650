package io.faultline.sidecar.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

/** Small socket helpers for tests that talk through the proxy. */
public final class Wire {
    private Wire() {
    }

    /** Round trip of one small message through an echo upstream, in milliseconds; checks the echo. */
    public static long roundTripMillis(Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        long start = System.nanoTime();
        out.write("ping\n".getBytes());
        out.flush();
        byte[] buf = new byte[5];
        int got = 0;
        while (got < 5) {
            int r = in.read(buf, got, 5 - got);
            if (r < 0) {
                throw new AssertionError("connection closed after " + got + " bytes");
            }
            got += r;
        }
        if (!new String(buf).equals("ping\n")) {
            throw new AssertionError("echo corrupted: " + new String(buf));
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /**
     * The fastest of {@code n} round trips: an upper bound ("no fault here") judged on one round trip
     * would fail whenever a busy machine stalls it, while a fault delays every one of them.
     */
    public static long fastestRoundTripMillis(Socket s, int n) throws Exception {
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            fastest = Math.min(fastest, roundTripMillis(s));
        }
        return fastest;
    }

    /** The next byte, or -1 at end of stream or on a reset (both mean "closed"). */
    public static int readOrReset(InputStream in) throws Exception {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }
}
