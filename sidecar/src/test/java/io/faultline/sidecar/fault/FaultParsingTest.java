package io.faultline.sidecar.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.ConfigParser;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every TCP fault kind as a rule entry: defaults, errors naming their field, native and Toxiproxy round trips. */
class FaultParsingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FaultSpec parse(String fault) {
        return ConfigParser.parse("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "127.0.0.1:8080"}]
                rules:
                  - name: r
                    %s
                """.formatted(fault)).rules().get(0).fault();
    }

    private static ConfigException error(String fault) {
        try {
            parse(fault);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted: " + fault);
    }

    private static FaultSpec fromToxiproxy(String type, String attributes) throws Exception {
        FaultKind kind = FaultKinds.byToxiproxyType(type).orElseThrow();
        return kind.fromToxiproxy(new ConfigNode(JSON.readTree(attributes), "attributes"));
    }

    /** Re-read, so that integer widths (int vs long nodes) do not matter. */
    private static JsonNode toxiproxyJson(FaultSpec spec) throws Exception {
        return JSON.readTree(spec.toToxiproxy().toString());
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void everyKindIsRegisteredUnderItsNativeAndToxiproxyName() {
        assertThat(FaultKinds.names()).containsExactly(
                "latency", "bandwidth", "slicer", "limitData", "timeout", "resetPeer", "slowClose", "down", "loss",
                "tlsHandshakeFailure",
                // http kinds (io.faultline.sidecar.http.HttpFaultKinds)
                "abort", "headers", "rateLimit", "transient", "drop", "reset", "serverOverload", "body",
                "requestControlled", "slowBody", "rewrite");
        assertThat(FaultKinds.byToxiproxyType("limit_data")).containsSame(LimitDataFault.KIND);
        assertThat(FaultKinds.byToxiproxyType("reset_peer")).containsSame(ResetPeerFault.KIND);
        assertThat(FaultKinds.byToxiproxyType("slow_close")).containsSame(SlowCloseFault.KIND);
        assertThat(FaultKinds.byToxiproxyType("down")).containsSame(DownFault.KIND);
        assertThat(FaultKinds.byToxiproxyType("loss")).containsSame(LossFault.KIND);
        assertThat(FaultKinds.byToxiproxyType("bogus")).isEmpty();
    }

    // --- defaults and native values

    @Test
    void defaults() {
        assertThat(parse("latency: {fixed: 200ms}"))
                .isEqualTo(new LatencyFault(Duration.ofMillis(200), Duration.ZERO, LatencyDistribution.UNIFORM));
        assertThat(parse("slicer: {averageSize: 1KiB}")).isEqualTo(new SlicerFault(1024, 0, Duration.ZERO));
        assertThat(parse("resetPeer: {}")).isEqualTo(new ResetPeerFault(Duration.ZERO));
        assertThat(parse("down: {}")).isEqualTo(new DownFault());
        assertThat(parse("loss: {probability: 0.1}")).isEqualTo(new LossFault(0.1, Duration.ofMillis(200)));
    }

    @Test
    void nativeValues() {
        assertThat(parse("latency: {fixed: 1s, jitter: 50ms, distribution: paretoNormal}"))
                .isEqualTo(new LatencyFault(Duration.ofSeconds(1), Duration.ofMillis(50), LatencyDistribution.PARETO_NORMAL));
        assertThat(parse("bandwidth: {rate: 256KiB}")).isEqualTo(new BandwidthFault(262_144));
        assertThat(parse("bandwidth: {rate: 2Mbps}")).isEqualTo(new BandwidthFault(250_000));
        assertThat(parse("bandwidth: {rate: 0}")).isEqualTo(new BandwidthFault(0));
        assertThat(parse("slicer: {averageSize: 100, sizeVariation: 10, delay: 500us}"))
                .isEqualTo(new SlicerFault(100, 10, Duration.ofNanos(500_000)));
        assertThat(parse("limitData: {bytes: 10KB}")).isEqualTo(new LimitDataFault(10_000));
        assertThat(parse("timeout: {after: 0}")).isEqualTo(new TimeoutFault(Duration.ZERO));
        assertThat(parse("timeout: {after: 1.5s}")).isEqualTo(new TimeoutFault(Duration.ofMillis(1500)));
        assertThat(parse("resetPeer: {after: 2s}")).isEqualTo(new ResetPeerFault(Duration.ofSeconds(2)));
        assertThat(parse("slowClose: {delay: 300ms}")).isEqualTo(new SlowCloseFault(Duration.ofMillis(300)));
        assertThat(parse("loss: {probability: 0.25, stall: 1s}")).isEqualTo(new LossFault(0.25, Duration.ofSeconds(1)));
    }

    // --- errors name the field

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "latency: {jitter: 5ms}|rules[0].latency.fixed",
        "latency: {fixed: fast}|rules[0].latency.fixed",
        "latency: {fixed: 1s, distribution: gauss}|rules[0].latency.distribution",
        "latency: {fixed: 1s, spread: 1}|rules[0].latency.spread",
        "bandwidth: {}|rules[0].bandwidth.rate",
        "bandwidth: {rate: fast}|rules[0].bandwidth.rate",
        "bandwidth: {rate: -5}|rules[0].bandwidth.rate",
        "slicer: {}|rules[0].slicer.averageSize",
        "slicer: {averageSize: 0}|rules[0].slicer.averageSize",
        "slicer: {averageSize: 10, sizeVariation: 10}|rules[0].slicer.sizeVariation",
        "slicer: {averageSize: 10, delay: soon}|rules[0].slicer.delay",
        "limitData: {}|rules[0].limitData.bytes",
        "limitData: {bytes: lots}|rules[0].limitData.bytes",
        "timeout: {}|rules[0].timeout.after",
        "timeout: {after: -1s}|rules[0].timeout.after",
        "resetPeer: {after: 5}|rules[0].resetPeer.after",
        "resetPeer: {timeout: 5ms}|rules[0].resetPeer.timeout",
        "slowClose: {}|rules[0].slowClose.delay",
        "down: {for: 1s}|rules[0].down.for",
        "loss: {}|rules[0].loss.probability",
        "loss: {probability: 1.5}|rules[0].loss.probability",
        "loss: {probability: often}|rules[0].loss.probability",
        "loss: {probability: 0.1, stall: long}|rules[0].loss.stall",
        "bandwidth: 5|rules[0].bandwidth",
    })
    void badValuesNameTheirField(String fault, String field) {
        ConfigException e = error(fault);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).startsWith(field + ": ");
    }

    @Test
    void errorsSayWhatIsAccepted() {
        assertThat(error("bandwidth: {rate: fast}").getMessage()).contains("bits per second");
        assertThat(error("slicer: {averageSize: 10, sizeVariation: 12}").getMessage()).contains("less than the average size");
        assertThat(error("loss: {probability: 1.5}").getMessage()).contains("between 0.0 and 1.0");
        assertThat(error("latency: {fixed: 1s, distribution: gauss}").getMessage())
                .contains("uniform", "normal", "pareto", "paretoNormal");
    }

    // --- round trips

    private static final List<FaultSpec> SAMPLES = List.of(
            new LatencyFault(Duration.ofMillis(200), Duration.ofMillis(50), LatencyDistribution.UNIFORM),
            new BandwidthFault(100_000),
            new BandwidthFault(0),
            new SlicerFault(100, 20, Duration.ofNanos(250_000)),
            new LimitDataFault(4096),
            new TimeoutFault(Duration.ofSeconds(5)),
            new TimeoutFault(Duration.ZERO),
            new ResetPeerFault(Duration.ofMillis(750)),
            new SlowCloseFault(Duration.ofMillis(300)),
            new DownFault(),
            new LossFault(0.05, Duration.ofMillis(400)));

    @Test
    void nativeFormRoundTrips() {
        for (FaultSpec spec : SAMPLES) {
            FaultSpec back = spec.kind().parse(new ConfigNode(spec.toJson(), "f"));
            assertThat(back).as(spec.kind().name()).isEqualTo(spec);
        }
        // Sub-millisecond values and every distribution survive the native form (not Toxiproxy's ms).
        FaultSpec fine = new LatencyFault(Duration.ofMillis(3), Duration.ofNanos(1500), LatencyDistribution.PARETO);
        assertThat(fine.kind().parse(new ConfigNode(fine.toJson(), "f"))).isEqualTo(fine);
    }

    @Test
    void toxiproxyFormRoundTrips() {
        for (FaultSpec spec : SAMPLES) {
            FaultSpec back = spec.kind().fromToxiproxy(new ConfigNode(spec.toToxiproxy(), "attributes"));
            assertThat(back).as(spec.kind().name()).isEqualTo(spec);
        }
    }

    @Test
    void toxiproxyAttributesUseToxiproxyUnits() throws Exception {
        assertThat(fromToxiproxy("latency", "{\"latency\": 100, \"jitter\": 10}"))
                .isEqualTo(new LatencyFault(Duration.ofMillis(100), Duration.ofMillis(10), LatencyDistribution.UNIFORM));
        // bandwidth: KB/s with 1 KB = 1000 bytes (Toxiproxy sleeps len * 1ms / rate).
        assertThat(fromToxiproxy("bandwidth", "{\"rate\": 100}")).isEqualTo(new BandwidthFault(100_000));
        // slicer: delay in microseconds.
        assertThat(fromToxiproxy("slicer", "{\"average_size\": 64, \"size_variation\": 32, \"delay\": 10}"))
                .isEqualTo(new SlicerFault(64, 32, Duration.ofNanos(10_000)));
        assertThat(fromToxiproxy("limit_data", "{\"bytes\": 1000}")).isEqualTo(new LimitDataFault(1000));
        assertThat(fromToxiproxy("timeout", "{\"timeout\": 5000}")).isEqualTo(new TimeoutFault(Duration.ofSeconds(5)));
        assertThat(fromToxiproxy("timeout", "{}")).isEqualTo(new TimeoutFault(Duration.ZERO));
        assertThat(fromToxiproxy("reset_peer", "{\"timeout\": 100}")).isEqualTo(new ResetPeerFault(Duration.ofMillis(100)));
        assertThat(fromToxiproxy("slow_close", "{\"delay\": 100}")).isEqualTo(new SlowCloseFault(Duration.ofMillis(100)));
        assertThat(fromToxiproxy("down", "{}")).isEqualTo(new DownFault());
        assertThat(fromToxiproxy("loss", "{\"probability\": 0.5}")).isEqualTo(new LossFault(0.5, Duration.ofMillis(200)));

        assertThat(toxiproxyJson(new BandwidthFault(100_000))).isEqualTo(json("{\"rate\": 100}"));
        assertThat(toxiproxyJson(new SlicerFault(64, 32, Duration.ofNanos(10_000))))
                .isEqualTo(json("{\"average_size\": 64, \"size_variation\": 32, \"delay\": 10}"));
        assertThat(toxiproxyJson(new LimitDataFault(1000))).isEqualTo(json("{\"bytes\": 1000}"));
        assertThat(toxiproxyJson(new TimeoutFault(Duration.ofSeconds(5)))).isEqualTo(json("{\"timeout\": 5000}"));
        assertThat(toxiproxyJson(new ResetPeerFault(Duration.ofMillis(100)))).isEqualTo(json("{\"timeout\": 100}"));
        assertThat(toxiproxyJson(new SlowCloseFault(Duration.ofMillis(100)))).isEqualTo(json("{\"delay\": 100}"));
        assertThat(toxiproxyJson(new DownFault())).isEqualTo(json("{}"));
        assertThat(toxiproxyJson(new LossFault(0.5, Duration.ofMillis(200))))
                .isEqualTo(json("{\"probability\": 0.5, \"stall\": \"200ms\"}"));
    }

    @Test
    void bandwidthNotInWholeKilobytesIsRoundedForToxiproxyButNeverToZero() throws Exception {
        assertThat(toxiproxyJson(new BandwidthFault(262_144))).isEqualTo(json("{\"rate\": 262}"));
        assertThat(toxiproxyJson(new BandwidthFault(10))).isEqualTo(json("{\"rate\": 1}"));
        assertThat(toxiproxyJson(new BandwidthFault(0))).isEqualTo(json("{\"rate\": 0}"));
    }

    @Test
    void badToxiproxyAttributesNameTheirField() {
        assertThatThrownBy(() -> fromToxiproxy("slicer", "{\"average_size\": 0}"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo("attributes.average_size"));
        assertThatThrownBy(() -> fromToxiproxy("slicer", "{\"average_size\": 10, \"size_variation\": 20}"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo("attributes.size_variation"));
        assertThatThrownBy(() -> fromToxiproxy("bandwidth", "{\"rate\": -1}"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo("attributes.rate"));
        assertThatThrownBy(() -> fromToxiproxy("timeout", "{\"timeout\": \"soon\"}"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo("attributes.timeout"));
        assertThatThrownBy(() -> fromToxiproxy("limit_data", "{\"limit\": 5}"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo("attributes.limit"));
    }
}
