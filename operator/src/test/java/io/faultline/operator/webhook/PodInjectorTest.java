package io.faultline.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.faultline.operator.compiler.ProxyConfigCompiler;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.webhook.InjectionDecision.Reason;

class PodInjectorTest {
    private static final InjectionSettings SETTINGS = InjectionSettings.defaults("faultline-system");
    private static final Map<String, String> ENABLED = Map.of("faultline.io/injection", "enabled");

    private static Pod pod(Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName("checkout-1").withNamespace("shop").withAnnotations(annotations)
                .addToLabels("app", "checkout").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/app:1").addNewPort().withName("http")
                .withContainerPort(8080).withProtocol("TCP").endPort().endContainer().endSpec().build();
    }

    private static PodInjector.Result inject(Pod pod, Map<String, String> namespaceLabels) {
        return PodInjector.inject(new PodInjector.Request(pod, "shop", namespaceLabels, SETTINGS, List.of()));
    }

    @Test
    void theInputPodIsLeftUntouched() {
        Pod input = pod(Map.of());
        JsonNode before = GoldenCase.JSON.valueToTree(input);

        PodInjector.Result result = inject(input, ENABLED);

        assertThat(result.decision().inject()).isTrue();
        assertThat((JsonNode) GoldenCase.JSON.valueToTree(input)).isEqualTo(before);
    }

    @Test
    void theOperatorComputesTheSameConfigFromTheInjectedPodSoItHasNothingToPush() throws Exception {
        GoldenCase golden = GoldenCase.load(GoldenFilesTest.ROOT.resolve("active-session"));
        PodInjector.Result result = golden.run();
        Pod injected = result.mutated();

        // what NamespaceSynchronizer compiles for this pod once it exists
        var operatorView = ProxyConfigCompiler.compile(
                AdmissionSessions.selecting(injected, golden.namespace(), golden.sessions(), golden.profiles(), false, golden.now()),
                SidecarPods.listenHost(injected), InjectionStatus.baselineTargets(injected));

        assertThat(operatorView.version()).isEqualTo(result.status().initialConfigVersion()).isEqualTo(result.initialConfig().version());
        assertThat(GoldenCase.JSON.readTree(injected.getMetadata().getAnnotations().get(InjectionAnnotations.INITIAL_CONFIG)))
                .isEqualTo(operatorView.json());
        assertThat(result.initialConfig().json().get("rules")).isNotEmpty();
        assertThat(SidecarPods.isInjected(injected)).isTrue();
    }

    @Test
    void aNativeSidecarIsRecognisedAsInjectedByTheOperator() {
        PodInjector.Result result = PodInjector.inject(new PodInjector.Request(pod(Map.of()), "shop", ENABLED,
                SETTINGS.withNativeSidecar(true), List.of()));

        assertThat(result.mutated().getSpec().getInitContainers()).extracting(Container::getName).containsExactly("faultline-sidecar");
        assertThat(SidecarPods.isInjected(result.mutated())).isTrue();
        assertThat(InjectionPolicy.alreadyInjected(result.mutated())).isTrue();
    }

    @Test
    void thePodAnnotationOptsInOutsideAnEnabledNamespaceAndOptOutWinsInside() {
        assertThat(inject(pod(Map.of("faultline.io/inject", "true")), Map.of()).decision().inject()).isTrue();
        assertThat(inject(pod(Map.of("faultline.io/inject", "false")), ENABLED).decision().reason()).isEqualTo(Reason.OptedOut);
        assertThat(inject(pod(Map.of("faultline.io/inject", "yes")), ENABLED).decision().message())
                .isEqualTo("annotation faultline.io/inject='yes' is not accepted; use \"true\" or \"false\"");
    }

    @Test
    void aNamespaceLabelledDisabledIsNeverInjectedWhateverThePodSays() {
        PodInjector.Result result = inject(pod(Map.of("faultline.io/inject", "true")), Map.of("faultline.io/injection", "disabled"));

        assertThat(result.decision().inject()).isFalse();
        assertThat(result.decision().reason()).isEqualTo(Reason.OptedOut);
        assertThat(result.decision().message()).contains("faultline.io/injection=disabled");
    }

    @Test
    void transparentInterceptionIsRefusedWhereThePodSecurityLevelForbidsItsInitContainer() {
        Map<String, String> transparent = Map.of("faultline.io/interception", "transparent");
        for (String level : List.of("baseline", "restricted")) {
            Map<String, String> labels = Map.of("faultline.io/injection", "enabled", "pod-security.kubernetes.io/enforce", level);
            PodInjector.Result refused = inject(pod(transparent), labels);
            assertThat(refused.decision().reason()).isEqualTo(Reason.PodSecurity);
            assertThat(refused.decision().message()).contains("'" + level + "'").contains("faultline.io/interception: explicit");
            assertThat(refused.mutated()).isEqualTo(pod(transparent));
            // explicit interception needs no privilege: injected at every level
            assertThat(inject(pod(Map.of()), labels).decision().inject()).isTrue();
            // the operator's default mode counts too
            assertThat(PodInjector.inject(new PodInjector.Request(pod(Map.of()), "shop", labels,
                    SETTINGS.withInterception(Interception.TRANSPARENT), List.of())).decision().reason()).isEqualTo(Reason.PodSecurity);
        }
        Map<String, String> privileged = Map.of("faultline.io/injection", "enabled", "pod-security.kubernetes.io/enforce", "privileged");
        assertThat(inject(pod(transparent), privileged).decision().inject()).isTrue();
    }

    @Test
    void theOperatorsOwnNamespaceIsNeverInjected() {
        PodInjector.Result result = PodInjector.inject(new PodInjector.Request(pod(Map.of("faultline.io/inject", "true")),
                "faultline-system", ENABLED, SETTINGS, List.of()));

        assertThat(result.decision().reason()).isEqualTo(Reason.SystemNamespace);
    }

    @Test
    void badAnnotationsLeaveThePodUnchangedWithAMessageNamingTheAnnotation() {
        Map<String, String> cases = Map.of(
                "faultline.io/outbound", "payments=15001=ftp://payments:80",
                "faultline.io/interception", "magic",
                "faultline.io/sidecar-memory-limit", "lots",
                "faultline.io/admin-port", "99999",
                "faultline.io/native-sidecar", "maybe");
        cases.forEach((annotation, value) -> {
            Pod input = pod(Map.of(annotation, value));
            PodInjector.Result result = inject(input, ENABLED);
            assertThat(result.decision().reason()).as(annotation).isEqualTo(Reason.InvalidAnnotation);
            assertThat(result.decision().message()).as(annotation).contains(annotation);
            assertThat(JsonPatches.diff(input, result.mutated())).as(annotation).isEmpty();
        });
    }

    @Test
    void outboundRedirectNeedsTransparentModeAKnownTcpListenerAndOneListenerPerPort() {
        String outbound = "payments=15001=http://payments:80,db=15002=db:5432,vault=15003=tls://vault:443,db2=15004=db-2:5432";
        Map<String, String> cases = Map.of(
                "explicit|db", "needs faultline.io/interception: transparent",
                "transparent|cache", "'cache' is not the name of an entry of faultline.io/outbound",
                "transparent|vault", "originates TLS",
                "transparent|db,db2", "'db' and 'db2' both redirect destination port 5432");
        cases.forEach((given, expected) -> {
            String[] parts = given.split("\\|");
            Pod input = pod(Map.of("faultline.io/interception", parts[0], "faultline.io/outbound", outbound,
                    "faultline.io/outbound-redirect", parts[1]));
            PodInjector.Result result = inject(input, ENABLED);
            assertThat(result.decision().reason()).as(given).isEqualTo(Reason.InvalidAnnotation);
            assertThat(result.decision().message()).as(given).contains("faultline.io/outbound-redirect", expected);
            assertThat(JsonPatches.diff(input, result.mutated())).as(given).isEmpty();
        });

        PodInjector.Result redirected = inject(pod(Map.of("faultline.io/interception", "transparent", "faultline.io/outbound", outbound,
                "faultline.io/outbound-redirect", "payments, db")), ENABLED);
        assertThat(redirected.decision().inject()).as(redirected.decision().message()).isTrue();
        assertThat(redirected.status().outbound()).extracting(OutboundListener::name, OutboundListener::redirectPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("payments", 80), org.assertj.core.groups.Tuple.tuple("db", 5432),
                        org.assertj.core.groups.Tuple.tuple("vault", null), org.assertj.core.groups.Tuple.tuple("db2", null));
        assertThat(InjectionStatus.parse(redirected.status().toJson())).isEqualTo(redirected.status());
    }

    @Test
    void explicitModeCannotTakeOverAnUnnamedPort() {
        Pod input = new PodBuilder(pod(Map.of("faultline.io/inbound-ports", "9000"))).editSpec().editContainer(0).addNewPort()
                .withContainerPort(9000).endPort().endContainer().endSpec().build();

        PodInjector.Result result = inject(input, ENABLED);

        assertThat(result.decision().reason()).isEqualTo(Reason.InvalidAnnotation);
        assertThat(result.decision().message()).contains("port 9000 of container app has no name", "transparent");
    }

    @Test
    void inboundPortsNoneInterceptsNothingInbound() {
        PodInjector.Result result = inject(pod(Map.of("faultline.io/inbound-ports", "none")), ENABLED);

        assertThat(result.status().inbound()).isEmpty();
        assertThat(result.mutated().getSpec().getContainers().get(0).getPorts().get(0).getName()).isEqualTo("http");
    }

    @Test
    void theStatusAnnotationRoundTrips() {
        PodInjector.Result result = inject(pod(Map.of("faultline.io/outbound", "db=15002=tls://db.internal:5432")), ENABLED);

        InjectionStatus parsed = InjectionStatus.parse(result.mutated().getMetadata().getAnnotations().get(InjectionAnnotations.STATUS));

        assertThat(parsed).isEqualTo(result.status());
        assertThat(InjectionStatus.baselineTargets(result.mutated())).extracting(t -> t.name).containsExactly("http", "db");
    }

    @Test
    void anUnreadableStatusAnnotationGivesNoBaselineRatherThanAnError() {
        Pod pod = pod(Map.of(InjectionAnnotations.STATUS, "{not json"));

        assertThat(InjectionStatus.baselineTargets(pod)).isEmpty();
    }

    static Path root() {
        return GoldenFilesTest.ROOT;
    }
}
