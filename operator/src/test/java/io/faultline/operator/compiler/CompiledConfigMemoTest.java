package io.faultline.operator.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.qos.QosLatency;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.Target;
import io.faultline.crds.spec.TargetProtocol;

/** The memo recompiles exactly when an input the compiler reads changed, and holds only what the last sync used. */
class CompiledConfigMemoTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    private final CompiledConfigMemo memo = new CompiledConfigMemo();
    private final AtomicInteger baselineReads = new AtomicInteger();
    private final Supplier<List<Target>> noBaseline = () -> {
        baselineReads.incrementAndGet();
        return List.of();
    };

    @Test
    void unchangedInputsAreNotCompiledAgain() {
        ResolvedSession slow = session("slow", "100ms");
        PodConfig first = pass(List.of(slow), null, null);
        assertThat(memo.compiles()).isEqualTo(1);

        // the next sync: new objects from the cache, equal content
        PodConfig second = pass(List.of(session("slow", "100ms")), null, null);

        assertThat(memo.compiles()).isZero();
        assertThat(memo.reuses()).isEqualTo(1);
        assertThat(second).isSameAs(first);
        assertThat(baselineReads).hasValue(1); // the injection annotation is parsed only to compile
    }

    @Test
    void aMemoizedConfigIsWhatTheCompilerProduces() {
        List<ResolvedSession> sessions = List.of(session("slow", "100ms"), session("slower", "300ms"));
        pass(sessions, "127.0.0.1", null);

        PodConfig memoized = pass(sessions, "127.0.0.1", null);

        assertThat(memo.compiles()).isZero();
        assertThat(memoized.json()).isEqualTo(ProxyConfigCompiler.compile(sessions, "127.0.0.1").json());
    }

    @Test
    void aSpecEditIsRecompiled() {
        pass(List.of(session("slow", "100ms")), null, null);

        PodConfig edited = pass(List.of(session("slow", "250ms")), null, null);

        assertThat(memo.compiles()).isEqualTo(1);
        assertThat(edited.json().toString()).contains("250ms");
    }

    @Test
    void anEditInsideAMapOrListOfTheSpecIsRecompiled() {
        pass(List.of(session("slow", "100ms")), null, null);
        ResolvedSession moreTargets = session("slow", "100ms");
        moreTargets.spec().targets.add(Sessions.inbound("admin", 9090, TargetProtocol.TCP));

        pass(List.of(moreTargets), null, null);

        assertThat(memo.compiles()).isEqualTo(1);
    }

    @Test
    void aQosProfileChangeIsRecompiled() {
        pass(List.of(Sessions.withQos(session("slow", "100ms"), qos("20ms"))), null, null);

        PodConfig changed = pass(List.of(Sessions.withQos(session("slow", "100ms"), qos("80ms"))), null, null);

        assertThat(memo.compiles()).isEqualTo(1);
        assertThat(changed.json().toString()).contains("80ms");
    }

    @Test
    void pauseExpiryAndSessionSetChangesAreRecompiled() {
        ResolvedSession slow = session("slow", "100ms");
        pass(List.of(slow), null, null);

        pass(List.of(Sessions.inactive(slow)), null, null);
        assertThat(memo.compiles()).as("rules no longer in force").isEqualTo(1);

        pass(List.of(new ResolvedSession("shop", "slow", "uid-slow", T0, slow.spec(), null, true, T0.plusSeconds(60))), null, null);
        assertThat(memo.compiles()).as("another expiry").isEqualTo(1);

        pass(List.of(slow, session("slower", "300ms")), null, null);
        assertThat(memo.compiles()).as("a second session selects the pod").isEqualTo(1);

        pass(List.of(session("slower", "300ms"), slow), null, null);
        assertThat(memo.compiles()).as("same sessions in another order: the compiler orders them itself").isZero();
    }

    @Test
    void podAnnotationChangesAreRecompiled() {
        List<ResolvedSession> sessions = List.of(session("slow", "100ms"));
        pass(sessions, null, null);

        pass(sessions, "10.0.0.7", null);
        assertThat(memo.compiles()).as("listen-host").isEqualTo(1);

        pass(sessions, "10.0.0.7", "{\"inbound\":[]}");
        assertThat(memo.compiles()).as("injection status").isEqualTo(1);
        assertThat(baselineReads).hasValue(3);
    }

    @Test
    void podsWithEqualInputsShareOneCompile() {
        memo.beginPass();
        PodConfig a = memo.configFor(List.of(session("slow", "100ms")), null, null, noBaseline);
        PodConfig b = memo.configFor(List.of(session("slow", "100ms")), null, null, noBaseline);
        memo.endPass();

        assertThat(memo.compiles()).isEqualTo(1);
        assertThat(b).isSameAs(a);
        assertThat(memo.size()).isEqualTo(1);
    }

    @Test
    void entriesOfDeletedPodsAndSessionsAreEvicted() {
        memo.beginPass();
        memo.configFor(List.of(session("slow", "100ms")), null, null, noBaseline); // pod a
        memo.configFor(List.of(session("slow", "100ms"), session("slower", "300ms")), null, null, noBaseline); // pod b
        memo.configFor(List.of(session("slower", "300ms")), "10.0.0.9", null, noBaseline); // pod c
        memo.endPass();
        assertThat(memo.size()).isEqualTo(3);

        // session "slower" deleted, pod c deleted: pods a and b now have the same inputs
        memo.beginPass();
        memo.configFor(List.of(session("slow", "100ms")), null, null, noBaseline);
        memo.configFor(List.of(session("slow", "100ms")), null, null, noBaseline);
        memo.endPass();

        assertThat(memo.compiles()).isZero();
        assertThat(memo.size()).isEqualTo(1);

        memo.beginPass();
        memo.endPass(); // every pod gone
        assertThat(memo.size()).isZero();
    }

    @Test
    void anEvictedEntryIsCompiledAgainWhenItsInputsComeBack() {
        pass(List.of(session("slow", "100ms")), null, null);
        pass(List.of(session("slow", "250ms")), null, null);

        pass(List.of(session("slow", "100ms")), null, null);

        assertThat(memo.compiles()).isEqualTo(1);
    }

    @Test
    void anUnfinishedPassLosesNothing() {
        memo.beginPass();
        memo.configFor(List.of(session("slow", "100ms")), null, null, noBaseline);
        // the sync failed before endPass (e.g. an exception while pushing)

        pass(List.of(session("slow", "100ms")), null, null);

        assertThat(memo.compiles()).isZero();
    }

    @Test
    void configForOutsideAPassIsAProgrammingError() {
        assertThatThrownBy(() -> memo.configFor(List.of(), null, null, noBaseline)).isInstanceOf(IllegalStateException.class);
    }

    private PodConfig pass(List<ResolvedSession> sessions, String listenHost, String injectionStatus) {
        memo.beginPass();
        PodConfig config = memo.configFor(sessions, listenHost, injectionStatus, noBaseline);
        memo.endPass();
        return config;
    }

    private static ResolvedSession session(String name, String latency) {
        FaultSessionSpec spec = Sessions.spec(List.of(Sessions.inbound("http", 8080, TargetProtocol.HTTP)),
                Sessions.latency("slow", latency));
        return Sessions.active(name, T0.plusSeconds(name.length()), spec, null);
    }

    private static QoSProfileSpec qos(String mean) {
        QoSProfileSpec qos = new QoSProfileSpec();
        qos.latency = new QosLatency();
        qos.latency.mean = mean;
        return qos;
    }
}
