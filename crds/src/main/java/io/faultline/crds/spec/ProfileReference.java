package io.faultline.crds.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Reference to a QoSProfile in the session's namespace. */
public class ProfileReference {
    @Required
    @JsonPropertyDescription("Name of the QoSProfile, in the same namespace as the session.")
    public String name;

    public ProfileReference() {
    }

    public ProfileReference(String name) {
        this.name = name;
    }
}
