package io.faultline.sidecar.testing;

import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.engine.Engine;
import io.faultline.sidecar.proxy.Transport;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** The proxy engine in the test's JVM (so the leak detector sees its buffers), configured from YAML. */
public final class InProcessSidecar implements AutoCloseable {
    private final Engine engine;

    public InProcessSidecar(long seed) {
        this(seed, Transport.best());
    }

    public InProcessSidecar(long seed, Transport transport) {
        this.engine = new Engine(transport, 2, seed, Clock.systemUTC());
    }

    public Engine engine() {
        return engine;
    }

    public ProxyConfig apply(String yaml) throws Exception {
        return engine.apply(ConfigParser.parse(yaml)).get(10, TimeUnit.SECONDS);
    }

    public int port(String listener) {
        String bound = engine.boundAddress(listener);
        if (bound == null) {
            throw new AssertionError("listener " + listener + " is not bound");
        }
        return Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1));
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Waits a little for an asynchronous condition (connection close, config fan-out). */
    public static void eventually(long timeoutMs, Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }
}
