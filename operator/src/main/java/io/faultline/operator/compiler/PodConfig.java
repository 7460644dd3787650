package io.faultline.operator.compiler;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The desired ProxyConfig of one pod (JSON per the sidecar contract), its version (a hash of its content) and earliest
 * expiry, and the listener conflicts met while merging, by session name.
 */
public record PodConfig(ObjectNode json, String version, Instant expiresAt, Map<String, List<String>> conflicts) {
}
