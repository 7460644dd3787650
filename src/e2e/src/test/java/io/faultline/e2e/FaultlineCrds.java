package io.faultline.e2e;

import java.nio.file.Path;

import io.faultline.kube.testkit.KubeApiServer;

/** Installs the committed CRDs (crds/generated) on a server: idempotent, so classes sharing a server may all call it. */
public final class FaultlineCrds {
    private FaultlineCrds() {
    }

    public static void install(KubeApiServer server) {
        for (Path crd : Repo.yamlFiles(Repo.GENERATED_CRDS)) {
            server.apply().fieldManager("faultline-e2e-crds").force().file(crd);
        }
    }
}
