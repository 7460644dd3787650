package io.faultline.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.qos.QoSProfileStatus;

/** Reusable link conditions (latency, bandwidth, loss, connection limit) that FaultSessions refer to. */
@Group(FaultSession.GROUP)
@Version(FaultSession.VERSION)
@ShortNames("qos")
@Categories("faultline")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Sessions", jsonPath = ".status.sessions", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class QoSProfile extends CustomResource<QoSProfileSpec, QoSProfileStatus> implements Namespaced {
    /** Required: a profile without a spec has no conditions to apply (the API server refuses it). */
    @Override
    @Required
    public QoSProfileSpec getSpec() {
        return super.getSpec();
    }
}
