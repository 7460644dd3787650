package io.faultline.crds.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.faultline.crds.common.Formats;
import io.faultline.crds.fault.AbortFault;
import io.faultline.crds.fault.BandwidthFault;
import io.faultline.crds.fault.BodyFault;
import io.faultline.crds.fault.DownFault;
import io.faultline.crds.fault.DropFault;
import io.faultline.crds.fault.HeadersFault;
import io.faultline.crds.fault.LatencyFault;
import io.faultline.crds.fault.LimitDataFault;
import io.faultline.crds.fault.LossFault;
import io.faultline.crds.fault.RateLimitFault;
import io.faultline.crds.fault.RequestControlledFault;
import io.faultline.crds.fault.ResetFault;
import io.faultline.crds.fault.ResetPeerFault;
import io.faultline.crds.fault.RewriteFault;
import io.faultline.crds.fault.ServerOverloadFault;
import io.faultline.crds.fault.SlicerFault;
import io.faultline.crds.fault.SlowBodyFault;
import io.faultline.crds.fault.SlowCloseFault;
import io.faultline.crds.fault.TlsHandshakeFailureFault;
import io.faultline.crds.fault.TimeoutFault;
import io.faultline.crds.fault.TransientFault;

/**
 * One fault of a session: a union of exactly one fault kind, plus where and when it applies. The kinds and their
 * settings are those of the sidecar's ProxyConfig rules.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.latency), has(self.bandwidth), has(self.slicer), has(self.limitData), "
        + "has(self.timeout), has(self.resetPeer), has(self.slowClose), has(self.down), "
        + "has(self.loss), has(self.abort), has(self.headers), has(self.body), has(self.rateLimit), "
        + "has(self.serverOverload), has(self.transient), has(self.drop), has(self.reset), "
        + "has(self.requestControlled), has(self.slowBody), has(self.rewrite), has(self.tlsHandshakeFailure)]"
        + ".filter(k, k).size() == 1",
        message = "exactly one fault kind must be set: latency, bandwidth, slicer, limitData, timeout, resetPeer, slowClose,"
                + " down, loss, abort, headers, body, rateLimit, serverOverload, transient, drop, reset, requestControlled,"
                + " slowBody, rewrite or tlsHandshakeFailure")
public class FaultSpec {
    @Required
    @Pattern(Formats.DNS_LABEL)
    @Size(max = 63)
    @JsonPropertyDescription("Name of the fault, unique in the session (lower-case RFC 1123 label). Sidecar rules are named <session>.<fault>.")
    public String name;

    @Size(max = 16)
    @JsonPropertyDescription("Names of the session targets this fault applies to. Default: every target of the session.")
    public List<@Size(max = 63) String> targets;

    @Min(0)
    @Max(1)
    @JsonPropertyDescription("Probability, 0..1, that the fault applies to a connection (tcp) or a request (http). Default 1.")
    public Double probability;

    @JsonPropertyDescription("Direction the fault acts on: upstream (client to server), downstream (server to client, default) or both.")
    public StreamDirection stream;

    @JsonPropertyDescription("Which HTTP requests the fault applies to (http targets only). Default: every request.")
    public HttpMatch match;

    @JsonPropertyDescription("Delay data by a fixed time plus jitter.")
    public LatencyFault latency;
    @JsonPropertyDescription("Cap the throughput.")
    public BandwidthFault bandwidth;
    @JsonPropertyDescription("Cut data into small, optionally delayed chunks.")
    public SlicerFault slicer;
    @JsonPropertyDescription("Close the connection after a number of bytes.")
    public LimitDataFault limitData;
    @JsonPropertyDescription("Stop forwarding and close after a delay.")
    public TimeoutFault timeout;
    @JsonPropertyDescription("Reset the connection (TCP RST).")
    public ResetPeerFault resetPeer;
    @JsonPropertyDescription("Delay the close of the connection.")
    public SlowCloseFault slowClose;
    @JsonPropertyDescription("Accept and discard everything: {}.")
    public DownFault down;
    @JsonPropertyDescription("Packet loss as retransmission-like stalls.")
    public LossFault loss;
    @JsonPropertyDescription("HTTP: answer the request here with an error status (or a gRPC error).")
    public AbortFault abort;
    @JsonPropertyDescription("HTTP: set, add or remove request and response headers.")
    public HeadersFault headers;
    @JsonPropertyDescription("HTTP: replace the response body or apply a JSON merge patch to it.")
    public BodyFault body;
    @JsonPropertyDescription("HTTP: a token-bucket rate limit answering 429 with RateLimit-* headers.")
    public RateLimitFault rateLimit;
    @JsonPropertyDescription("HTTP: delays and errors that grow with the request rate (HeliosBurn's model).")
    public ServerOverloadFault serverOverload;
    @JsonPropertyDescription("HTTP: the first N requests fail, later ones succeed.")
    @JsonProperty("transient") // a Java keyword
    public TransientFault transient_;
    @JsonPropertyDescription("HTTP: close the connection without answering: {}.")
    public DropFault drop;
    @JsonPropertyDescription("HTTP: reset the connection (TCP RST) instead of answering: {}.")
    public ResetFault reset;
    @JsonPropertyDescription("HTTP: requests carrying a shared secret ask for their own delay or abort by header.")
    public RequestControlledFault requestControlled;
    @JsonPropertyDescription("HTTP: pace the response (or request) body to a rate.")
    public SlowBodyFault slowBody;
    @JsonPropertyDescription("HTTP: rewrite the method and/or path before the request is forwarded.")
    public RewriteFault rewrite;
    @JsonPropertyDescription("TCP: answer the client's TLS ClientHello with a fatal alert and close (TLS targets).")
    public TlsHandshakeFailureFault tlsHandshakeFailure;

    /** The kinds that are set, by their wire name and settings; exactly one in a valid fault. */
    @JsonIgnore
    public Map<String, Object> kindsSet() {
        Map<String, Object> kinds = new LinkedHashMap<>();
        put(kinds, "latency", latency);
        put(kinds, "bandwidth", bandwidth);
        put(kinds, "slicer", slicer);
        put(kinds, "limitData", limitData);
        put(kinds, "timeout", timeout);
        put(kinds, "resetPeer", resetPeer);
        put(kinds, "slowClose", slowClose);
        put(kinds, "down", down);
        put(kinds, "loss", loss);
        put(kinds, "abort", abort);
        put(kinds, "headers", headers);
        put(kinds, "body", body);
        put(kinds, "rateLimit", rateLimit);
        put(kinds, "serverOverload", serverOverload);
        put(kinds, "transient", transient_);
        put(kinds, "drop", drop);
        put(kinds, "reset", reset);
        put(kinds, "requestControlled", requestControlled);
        put(kinds, "slowBody", slowBody);
        put(kinds, "rewrite", rewrite);
        put(kinds, "tlsHandshakeFailure", tlsHandshakeFailure);
        return kinds;
    }

    /** Names of every fault kind, in schema order. */
    public static final List<String> KIND_NAMES = List.of("latency", "bandwidth", "slicer", "limitData", "timeout",
            "resetPeer", "slowClose", "down", "loss", "abort", "headers", "body", "rateLimit", "serverOverload", "transient",
            "drop", "reset", "requestControlled", "slowBody", "rewrite", "tlsHandshakeFailure");

    /** Kinds that act on a byte stream: they need a tcp target (the sidecar refuses them on http listeners). */
    public static final List<String> TCP_KIND_NAMES = List.of("bandwidth", "slicer", "limitData", "timeout", "resetPeer",
            "slowClose", "down", "loss", "tlsHandshakeFailure");

    /** Kinds that act per request: they need an http target. latency is the one kind that works on both. */
    public static final List<String> HTTP_KIND_NAMES = List.of("abort", "headers", "body", "rateLimit", "serverOverload",
            "transient", "drop", "reset", "requestControlled", "slowBody", "rewrite");

    private static void put(Map<String, Object> kinds, String name, Object value) {
        if (value != null) {
            kinds.put(name, value);
        }
    }
}
