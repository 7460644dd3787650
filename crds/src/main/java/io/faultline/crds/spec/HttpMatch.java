package io.faultline.crds.spec;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.faultline.config.LinearRegex;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Which HTTP requests a fault applies to; every field that is set must match. The sidecar's rule {@code match}, field
 * for field (see the root README's HTTP section): the compiler passes it through unchanged.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(value = "!(has(self.path) && has(self.pathRegex))", message = "give path (a glob) or pathRegex, not both")
public class HttpMatch {
    @Size(max = 16)
    @JsonPropertyDescription("HTTP methods, e.g. [GET, POST]. Default: any method.")
    public List<String> methods;

    @Pattern("^/")
    @JsonPropertyDescription("Path glob on the percent-decoded path without the query: * matches within a segment, ** across "
            + "segments, a trailing /** also matches the bare prefix, e.g. /search/**. Not together with pathRegex.")
    public String path;

    @Size(max = LinearRegex.MAX_LENGTH)
    @JsonPropertyDescription("Regular expression in RE2 syntax (linear-time matching: no backreferences or lookaround) that "
            + "must match the whole percent-decoded path without the query, e.g. /api/v[0-9]+/orders/.*. Not together with "
            + "path. The operator checks it as the sidecar does and reports a bad one on the session.")
    public String pathRegex;

    @Size(max = 32)
    @JsonPropertyDescription("Request headers by name (case-insensitive), each with exactly one of exact, regex or present, "
            + "e.g. {x-user-tier: {exact: free}, x-debug: {present: false}}.")
    public Map<String, ValueCondition> headers;

    @Size(max = 32)
    @JsonPropertyDescription("Query parameters by name (case-sensitive), each with exactly one of exact, regex or present, "
            + "e.g. {q: {present: true}}.")
    public Map<String, ValueCondition> query;

    @JsonPropertyDescription("Host glob on the Host header without port, * within one label, e.g. *.shop.svc.")
    public String host;

    /** An empty list is meaningful (reach the probe paths too), so it is kept when serialized. */
    @Size(max = 32)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyDescription("Path globs the fault never touches. Default (unset): /healthz, /readyz, /livez and /metrics, "
            + "so probes keep passing; [] lets the fault reach them too; any other list replaces the default.")
    public List<String> exclude;
}
