package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.faultline.config.LinearRegex;

/**
 * HTTP: rewrites the request line before the request is forwarded: the method, and the path (a fixed path, or a regex
 * replacement on the raw path; the query string stays). Later faults of the session match the rewritten request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "has(self.method) || has(self.path) || has(self.pathRegex)",
        message = "nothing to do; give method, path, or pathRegex with replacement")
@ValidationRule(value = "!(has(self.path) && has(self.pathRegex))", message = "give path or pathRegex, not both")
@ValidationRule(value = "has(self.pathRegex) == has(self.replacement)", message = "pathRegex and replacement go together")
public class RewriteFault {
    @Pattern("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
    @JsonPropertyDescription("New HTTP method, e.g. PUT. Not HEAD or CONNECT; HEAD requests keep their method.")
    public String method;

    @Pattern("^/[^\\s?#]*$")
    @JsonPropertyDescription("New path (starts with /; the query string is kept), e.g. /maintenance.")
    public String path;

    @Size(max = LinearRegex.MAX_LENGTH)
    @JsonPropertyDescription("Regular expression in RE2 syntax on the raw path; its first match is replaced, e.g. ^/v1/(.*).")
    public String pathRegex;

    @JsonPropertyDescription("Replacement for the pathRegex match; $1 or ${name} refers to a group, \\$ is a literal $, "
            + "e.g. /v2/$1.")
    public String replacement;
}
