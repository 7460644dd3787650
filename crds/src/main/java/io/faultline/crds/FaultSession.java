package io.faultline.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.status.FaultSessionStatus;

/** Faults declared for the traffic of a set of pods, for a while. */
@Group(FaultSession.GROUP)
@Version(FaultSession.VERSION)
@ShortNames("fs")
@Categories("faultline")
// kubectl prints the columns in this order (the committed CRD keeps it: see GeneratedCrdDriftTest). Expires is a
// string (the RFC 3339 instant): a date column prints <invalid> for every time in the future.
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Selected", jsonPath = ".status.selectedPods", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Configured", jsonPath = ".status.configuredPods", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".status.expiresAt", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class FaultSession extends CustomResource<FaultSessionSpec, FaultSessionStatus> implements Namespaced {
    public static final String GROUP = "faultline.io";
    public static final String VERSION = "v1alpha1";

    /** Required: a session without a spec says nothing (the API server refuses it). */
    @Override
    @Required
    public FaultSessionSpec getSpec() {
        return super.getSpec();
    }
}
