package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.ServerSideApply;
import io.faultline.kube.testkit.WithKubeApiServer;

/**
 * The CEL rules stay within the API server's cost budget with room: the API server estimates a rule's worst case from
 * the bounds of what it reads (maxItems, maxLength, maxProperties), and refuses a CRD whose rules exceed the budget.
 * The same CRD with every bound doubled (in a group of its own) is still accepted, so the most expensive rule (the
 * three nested loops over faults, their targets and the session's targets) costs at most 1/16 of the budget.
 */
@WithKubeApiServer
class CelCostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FACTOR = 2;
    private static final String GROUP = "cost-headroom.faultline.io";

    /** QoSProfile's rules only test presence (constant cost): FaultSession's are the ones that read lists and strings. */
    @Test
    void theFaultSessionCrdWithEveryBoundDoubledIsStillWithinTheCostBudget(KubeApiServer server) {
        Path crd = Repo.GENERATED_CRDS.resolve("faultsessions.faultline.io-v1.yml");
        ObjectNode scaled = (ObjectNode) ServerSideApply.documents(Repo.read(crd), crd.toString()).get(0);
        String plural = scaled.path("spec").path("names").path("plural").asText();
        scaled.with("metadata").put("name", plural + "." + GROUP);
        scaled.with("spec").put("group", GROUP);
        int bounds = scaleBounds(scaled.path("spec").path("versions"));
        assertThat(bounds).as("bounds in %s", crd.getFileName()).isGreaterThan(5);

        HasMetadata applied = server.apply().fieldManager("cost-headroom").force().yaml(JSON.valueToTree(scaled).toString())
                .get(0);
        try {
            assertThat(applied.getMetadata().getName()).isEqualTo(plural + "." + GROUP);
        } finally {
            server.adminClient().apiextensions().v1().customResourceDefinitions().withName(plural + "." + GROUP)
                    .withTimeout(60, TimeUnit.SECONDS).delete();
        }
    }

    /** Multiplies every maxItems, maxLength and maxProperties under {@code node}; returns how many there were. */
    private static int scaleBounds(JsonNode node) {
        int count = 0;
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (String bound : new String[] {"maxItems", "maxLength", "maxProperties"}) {
                if (object.has(bound)) {
                    object.put(bound, object.get(bound).asLong() * FACTOR);
                    count++;
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
                count += scaleBounds(it.next().getValue());
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                count += scaleBounds(item);
            }
        }
        return count;
    }
}
