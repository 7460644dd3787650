package io.faultline.operator.webhook;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The operator with its webhook on an ephemeral loopback port, a certificate valid for localhost, and a sidecar token. */
public class WebhookTestProfile implements QuarkusTestProfile {
    static final String TOKEN = "webhook-test-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "faultline.sidecar.token", TOKEN,
                "faultline.webhook.port", "0",
                "faultline.webhook.host", "127.0.0.1",
                "faultline.webhook.extra-dns-names", "localhost",
                "faultline.webhook.ip-addresses", "127.0.0.1",
                "faultline.injection.operator-namespace", "faultline-system");
    }
}
