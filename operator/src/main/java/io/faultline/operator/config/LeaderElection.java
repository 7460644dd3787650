package io.faultline.operator.config;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/**
 * Leader election for running two or more replicas: only the holder of the Lease {@code faultline-operator} (in the
 * operator's namespace) reconciles; the others wait and take over when it stops renewing. quarkus-operator-sdk
 * activates it in the prod profile ({@code quarkus.operator-sdk.activate-leader-election-for-profiles}).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
    public static final String LEASE_NAME = "faultline-operator";

    public LeaderElection() {
        super(LEASE_NAME);
    }
}
