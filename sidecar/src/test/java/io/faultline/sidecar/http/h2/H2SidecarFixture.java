package io.faultline.sidecar.http.h2;

import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.engine.RuleStats;
import io.faultline.sidecar.testing.InProcessSidecar;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the h2 socket tests share: an h2 upstream, an in-process sidecar with one http listener `web`
 * in front of it, and at most one Netty h2 client, all closed after each test.
 */
abstract class H2SidecarFixture {
    protected H2TestUpstream upstream;
    protected InProcessSidecar sidecar;
    protected H2TestClient client;

    @BeforeEach
    void startUpstreamAndSidecar() throws Exception {
        upstream = new H2TestUpstream();
        sidecar = new InProcessSidecar(3);
    }

    @AfterEach
    void closeAll() {
        if (client != null) {
            client.close();
        }
        sidecar.close();
        upstream.close();
    }

    /** Applies listener `web` (plus {@code listenerExtras}, e.g. {@code "idleTimeout: 1s"}) and the rules. */
    protected void apply(String version, String listenerExtras, String rules) throws Exception {
        sidecar.apply("""
                version: "%s"
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:%d"%s}
                rules: %s
                """.formatted(version, upstream.port(), listenerExtras.isEmpty() ? "" : ", " + listenerExtras, rules));
    }

    protected void apply(String version, String rules) throws Exception {
        apply(version, "", rules);
    }

    protected H2TestClient connect() throws Exception {
        client = new H2TestClient(sidecar.port("web"));
        return client;
    }

    protected ListenerStats stats() {
        return sidecar.engine().listenerStats().get("web");
    }

    protected RuleStats ruleStats(String name) {
        return sidecar.engine().ruleStats().get(name);
    }

    /** A bound on waiting, not a measurement: generous so a loaded machine does not fail a correct test. */
    protected static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }
}
