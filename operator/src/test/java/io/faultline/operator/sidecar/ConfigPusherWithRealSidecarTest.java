package io.faultline.operator.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.faultline.crds.common.PodSelector;
import io.faultline.crds.fault.LatencyFault;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Target;
import io.faultline.operator.compiler.PodConfig;
import io.faultline.operator.compiler.ProxyConfigCompiler;
import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.sidecar.ConfigPusher.PushResult;
import io.faultline.operator.sidecar.ConfigPusher.PushTarget;
import io.faultline.operator.testing.EchoServer;
import io.faultline.operator.testing.SidecarProcess;
import io.faultline.operator.testing.TcpProbe;
import io.faultline.operator.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The compiler's output and the pusher against a real sidecar process: the operator-to-data-plane contract. */
class ConfigPusherWithRealSidecarTest {
    private SidecarProcess sidecar;
    private EchoServer app;
    private int listenPort;
    private SimpleMeterRegistry registry;

    @BeforeEach
    void start() throws Exception {
        sidecar = SidecarProcess.start();
        app = new EchoServer();
        listenPort = TcpProbe.freePort();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        sidecar.close();
        app.close();
    }

    @Test
    void pushesOnceAndSkipsASidecarThatAlreadyRunsTheVersion() {
        ConfigPusher pusher = new ConfigPusher(new TestSettings(SidecarProcess.TOKEN, Duration.ofMinutes(5)), registry);
        PodConfig config = config(latencySession("300ms", null));

        PushResult first = pusher.push(target(config));
        PushResult second = pusher.push(target(config));

        assertThat(first.configured()).as(first.message()).isTrue();
        assertThat(first.version()).isEqualTo(config.version());
        assertThat(second.configured()).isTrue();
        assertThat(registry.counter("faultline.sidecar.pushes", "outcome", "pushed").count()).isEqualTo(1);
        assertThat(registry.counter("faultline.sidecar.pushes", "outcome", "unchanged").count()).isEqualTo(1);
        assertThat(countApplied(config.version())).isEqualTo(1);
    }

    @Test
    void aRestartedSidecarGetsItsConfigAgain() throws Exception {
        ConfigPusher pusher = new ConfigPusher(new TestSettings(SidecarProcess.TOKEN, Duration.ZERO), registry);
        PodConfig config = config(latencySession("300ms", null));
        assertThat(pusher.push(target(config)).configured()).isTrue();

        sidecar.restart();
        PushResult afterRestart = pusher.push(target(config));

        assertThat(afterRestart.configured()).as(afterRestart.message()).isTrue();
        assertThat(registry.counter("faultline.sidecar.pushes", "outcome", "pushed").count()).isEqualTo(2);
        assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(Duration.ofMillis(280));
    }

    @Test
    void aNewSidecarIncarnationIsNotTrustedEvenWithinTheVerifyInterval() throws Exception {
        ConfigPusher pusher = new ConfigPusher(new TestSettings(SidecarProcess.TOKEN, Duration.ofMinutes(5)), registry);
        PodConfig config = config(latencySession("300ms", null));
        assertThat(pusher.push(target(config, "0/containerd://first")).configured()).isTrue();

        sidecar.restart(); // the kubelet reports restartCount 1 with a new container ID
        PushResult afterRestart = pusher.push(target(config, "1/containerd://second"));

        assertThat(afterRestart.configured()).as(afterRestart.message()).isTrue();
        assertThat(registry.counter("faultline.sidecar.pushes", "outcome", "pushed").count()).isEqualTo(2);
        assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(Duration.ofMillis(280));
    }

    @Test
    void anEditOfAKnownSidecarIsPutWithoutAskingFirst() throws Exception {
        ConfigPusher pusher = new ConfigPusher(new TestSettings(SidecarProcess.TOKEN, Duration.ZERO), registry);
        assertThat(pusher.push(target(config(latencySession("300ms", null)))).configured()).isTrue();
        double getsBefore = adminGets();

        PodConfig edited = config(latencySession("50ms", null));
        PushResult result = pusher.push(target(edited));

        assertThat(result.configured()).as(result.message()).isTrue();
        assertThat(countApplied(edited.version())).isEqualTo(1);
        assertThat(adminGets()).as("GET /v1/config requests after the edit").isEqualTo(getsBefore);
    }

    @Test
    void aWrongTokenIsRejectedWithoutRetries() {
        ConfigPusher pusher = new ConfigPusher(new TestSettings("wrong-token", Duration.ZERO), registry);

        PushResult result = pusher.push(target(config(latencySession("300ms", null))));

        assertThat(result.configured()).isFalse();
        assertThat(result.message()).contains("sidecar rejected the config (401)", "Bearer");
        assertThat(registry.counter("faultline.sidecar.pushes", "outcome", "rejected").count()).isEqualTo(1);
    }

    @Test
    void aStoppedSidecarIsReportedUnreachableAfterTheRetries() throws Exception {
        ConfigPusher pusher = new ConfigPusher(new TestSettings(SidecarProcess.TOKEN, Duration.ZERO), registry);
        sidecar.stop();

        PushResult result = pusher.push(target(config(latencySession("300ms", null))));

        assertThat(result.configured()).isFalse();
        assertThat(result.message()).contains("unreachable after 2 attempts", "ConnectException");
    }

    @Test
    void theSidecarEndsTheFaultsAtExpiresAtOnItsOwn() throws Exception {
        ConfigPusher pusher = new ConfigPusher(new TestSettings(SidecarProcess.TOKEN, Duration.ZERO), registry);
        // The window only has to outlast the push and one probe; 6 s leaves room for a loaded machine (2.5 s did not).
        Instant expiry = Instant.now().plusMillis(6000);
        assertThat(pusher.push(target(config(latencySession("300ms", expiry)))).configured()).isTrue();

        assertThat(TcpProbe.roundTrip(listenPort)).isGreaterThanOrEqualTo(Duration.ofMillis(280));
        assertThat(Instant.now()).as("the latency probe ended before expiresAt (else the check above proved nothing)")
                .isBefore(expiry);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry).toMillis()) + 200);

        // No operator involved any more: the sidecar alone reverted to pass-through.
        assertThat(TcpProbe.fastestOf(listenPort, 3)).isLessThan(Duration.ofMillis(250));
    }

    private ResolvedSession latencySession(String fixed, Instant expiry) {
        Target target = new Target();
        target.name = "app";
        target.port = app.port();
        target.listenPort = listenPort;
        FaultSpec fault = new FaultSpec();
        fault.name = "slow";
        fault.latency = new LatencyFault();
        fault.latency.fixed = fixed;
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of());
        spec.targets = List.of(target);
        spec.faults = List.of(fault);
        return new ResolvedSession("ns", "s", "uid-s", Instant.EPOCH, spec, null, true, expiry);
    }

    private static PodConfig config(ResolvedSession session) {
        return ProxyConfigCompiler.compile(List.of(session), "127.0.0.1");
    }

    private PushTarget target(PodConfig config) {
        return new PushTarget("pod-uid", "pod", "http://127.0.0.1:" + sidecar.adminPort(), config);
    }

    private PushTarget target(PodConfig config, String sidecarInstance) {
        return new PushTarget("pod-uid", "pod", "http://127.0.0.1:" + sidecar.adminPort(), sidecarInstance, config);
    }

    private double adminGets() {
        return registry.counter("faultline.sidecar.version.checks").count();
    }

    private long countApplied(String version) {
        return sidecar.output().lines().filter(line -> line.contains("config_applied") && line.contains(version)).count();
    }
}
