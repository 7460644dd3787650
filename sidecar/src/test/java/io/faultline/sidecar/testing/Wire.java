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

    /** The next byte, or -1 at end of stream or on a reset (both mean "closed"). */
    public static int readOrReset(InputStream in) throws Exception {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }
}
