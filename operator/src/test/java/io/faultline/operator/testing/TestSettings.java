package io.faultline.operator.testing;

import java.time.Duration;
import java.util.Optional;

import io.faultline.operator.config.FaultlineConfig;

/** FaultlineConfig for tests that build operator parts by hand (no Quarkus). */
public final class TestSettings implements FaultlineConfig {
    private final Sidecar sidecar;

    public TestSettings(String token, Duration verifyInterval) {
        this.sidecar = new Sidecar() {
            public Optional<String> token() {
                return Optional.ofNullable(token);
            }

            public Optional<String> tokenFile() {
                return Optional.empty();
            }

            public int defaultAdminPort() {
                return 15000;
            }

            public int pushConcurrency() {
                return 8;
            }

            public int pushAttempts() {
                return 2;
            }

            public Duration retryBackoff() {
                return Duration.ofMillis(50);
            }

            public Duration requestTimeout() {
                return Duration.ofSeconds(2);
            }

            public Duration verifyInterval() {
                return verifyInterval;
            }

            public Duration unreachableRetry() {
                return Duration.ofSeconds(1);
            }
        };
    }

    public boolean killSwitch() {
        return false;
    }

    public Sidecar sidecar() {
        return sidecar;
    }

    public Duration cleanupTimeout() {
        return Duration.ofSeconds(10);
    }
}
