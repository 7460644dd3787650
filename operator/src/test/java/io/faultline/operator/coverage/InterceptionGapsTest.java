package io.faultline.operator.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.Target;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.reconciler.EventRecorder;
import io.faultline.operator.status.PodOutcome;
import io.faultline.operator.webhook.InjectionSettings;
import io.faultline.operator.webhook.PodInjector;

/**
 * Which inbound targets miss the traffic, judged on pods injected by the real webhook mutation (so the status annotation
 * is the one admission writes) against Services with named and numeric targetPorts; and the status message and Event
 * through the mock API server.
 */
@EnableKubernetesMockClient(crud = true)
class InterceptionGapsTest {
    static KubernetesClient client;

    private static Pod injected(String interception, String inboundPorts) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withName("checkout-1").withNamespace("shop").addToLabels("app", "checkout")
                .addToAnnotations("faultline.io/interception", interception).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/app:1")
                .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort()
                .addNewPort().withContainerPort(9000).withProtocol("TCP").endPort()
                .endContainer().endSpec();
        if (inboundPorts != null) {
            builder.editMetadata().addToAnnotations("faultline.io/inbound-ports", inboundPorts).endMetadata();
        }
        PodInjector.Result result = PodInjector.inject(new PodInjector.Request(builder.build(), "shop",
                Map.of("faultline.io/injection", "enabled"), InjectionSettings.defaults("faultline-system"), List.of()));
        assertThat(result.decision().inject()).as(result.decision().message()).isTrue();
        return result.mutated();
    }

    private static Service service(String name, Map<String, String> selector, int port, IntOrString targetPort) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata().withNewSpec()
                .withSelector(selector).withPorts(new ServicePortBuilder().withPort(port).withTargetPort(targetPort).build())
                .endSpec().build();
    }

    private static List<Target> inbound(int port) {
        Target target = new Target();
        target.name = "web";
        target.port = port;
        return List.of(target);
    }

    private static final Map<String, String> CHECKOUT = Map.of("app", "checkout");

    @Test
    void explicitModeMissesAServiceThatTargetsThePortByNumberAndSaysHowToFixIt() {
        List<InterceptionGaps.Gap> gaps = InterceptionGaps.of(injected("explicit", null), inbound(8080),
                List.of(service("checkout", CHECKOUT, 80, new IntOrString(8080))));

        assertThat(gaps).singleElement().satisfies(gap -> {
            assertThat(gap.service()).isEqualTo("checkout");
            assertThat(gap.message()).contains("target web (port 8080) is not intercepted for Service checkout port 80",
                    "targetPort is the number 8080", "only take over port names", "set the Service's targetPort to \"http\"",
                    "faultline.io/interception: transparent");
        });
    }

    @Test
    void aServiceWithoutTargetPortUsesItsPortNumberAndIsMissedToo() {
        assertThat(InterceptionGaps.of(injected("explicit", null), inbound(8080), List.of(service("direct", CHECKOUT, 8080, null))))
                .singleElement().satisfies(gap -> assertThat(gap.service()).isEqualTo("direct"));
    }

    @Test
    void aNamedTargetPortAnotherPodsServiceOrTransparentModeAreNoGap() {
        Service byName = service("checkout", CHECKOUT, 80, new IntOrString("http"));
        Service elsewhere = service("other", Map.of("app", "payments"), 80, new IntOrString(8080));

        assertThat(InterceptionGaps.of(injected("explicit", null), inbound(8080), List.of(byName, elsewhere))).isEmpty();
        assertThat(InterceptionGaps.of(injected("transparent", null), inbound(8080),
                List.of(service("checkout", CHECKOUT, 80, new IntOrString(8080))))).isEmpty();
    }

    @Test
    void aTargetOnAPortTheInjectionDidNotTakeOverIsReportedWithTheFixOfItsMode() {
        // explicit: 9000 has no name, so injection left it alone
        assertThat(InterceptionGaps.of(injected("explicit", null), inbound(9000), List.of())).singleElement()
                .satisfies(gap -> assertThat(gap.message()).contains("target web (port 9000) is not intercepted",
                        "takes over port 8080 only", "named container ports only: name the port"));
        // transparent, but the pod limited its inbound ports
        assertThat(InterceptionGaps.of(injected("transparent", "8080"), inbound(9000), List.of())).singleElement()
                .satisfies(gap -> assertThat(gap.message()).contains("(transparent) takes over port 8080 only",
                        "faultline.io/inbound-ports"));
    }

    @Test
    void podsNotInjectedByTheWebhookAreNotJudged() {
        Pod plain = new PodBuilder().withNewMetadata().withName("p").addToLabels("app", "checkout").endMetadata().build();
        assertThat(InterceptionGaps.of(plain, inbound(8080), List.of(service("checkout", CHECKOUT, 80, new IntOrString(8080)))))
                .isEmpty();
    }

    @Test
    void theSessionStatusMessageAndOneEventNameTheGap() {
        client.services().inNamespace("shop").resource(service("checkout", CHECKOUT, 80, new IntOrString(8080))).create();
        InterceptionCheck check = new InterceptionCheck(client, new EventRecorder(client));
        FaultSession session = new FaultSession();
        session.getMetadata().setName("lag");
        session.getMetadata().setNamespace("shop");
        session.getMetadata().setUid("uid-lag");
        session.getMetadata().setGeneration(1L);
        session.setSpec(new FaultSessionSpec());
        session.getSpec().selector = new PodSelector(CHECKOUT);
        session.getSpec().targets = inbound(8080);
        Pod pod = injected("explicit", null);
        List<PodOutcome> outcomes = List.of(new PodOutcome("checkout-1", PodState.Configured, "v1", null));

        List<PodOutcome> reviewed = check.review(session, SessionPhase.Active, outcomes, List.of(pod), Instant.now());
        check.review(session, SessionPhase.Active, outcomes, List.of(pod), Instant.now());

        assertThat(reviewed).singleElement().satisfies(p -> {
            assertThat(p.state()).isEqualTo(PodState.Configured);
            assertThat(p.message()).contains("Service checkout port 80", "targetPort is the number 8080");
        });
        assertThat(client.v1().events().inNamespace("shop").list().getItems()).filteredOn(e -> "NotIntercepted".equals(e.getReason()))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).contains("checkout-1", "targetPort is the number 8080");
                });
    }
}
