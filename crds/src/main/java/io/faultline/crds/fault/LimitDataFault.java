package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.faultline.crds.common.Formats;

/** TCP: closes the connection after a number of bytes in the stream. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LimitDataFault {
    @Required
    @Pattern(Formats.SIZE)
    @JsonPropertyDescription("Bytes let through before the connection is closed, e.g. 1MiB.")
    public String bytes;
}
