package io.faultline.sidecar.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultKinds;
import io.faultline.sidecar.fault.FaultSpec;
import io.faultline.sidecar.http.RequestMatch;
import io.faultline.sidecar.http.RuleCompatibility;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a ProxyConfig from YAML or JSON and validates all of it; the first error names its field. */
public final class ConfigParser {
    public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,62})?");
    public static final String NAME_ACCEPTED =
            "lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, at most 63 characters";
    private static final Set<String> TOP_FIELDS = Set.of("version", "expiresAt", "listeners", "rules");
    private static final Set<String> LISTENER_FIELDS = Set.of(
            "name", "listen", "upstream", "protocol", "enabled", "connectTimeout", "maxConnections", "tls", "bound",
            "responseTimeout", "idleTimeout", "recording", "terminateTls", "requestHeadTimeout",
            "requestBodyIdleTimeout");
    private static final Set<String> RECORDING_FIELDS = Set.of("capacity", "headers", "bodyBytes");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9a-z-]{1,64}");
    private static final Set<String> RULE_BASE_FIELDS = Set.of("name", "listeners", "probability", "stream", "match");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /**
     * JSON documents (what the operator PUTs) are read by Jackson's JSON parser first: same tree, about half the CPU of
     * the YAML parser per PUT (measured in BENCHMARKS.md, operator propagation). Anything it refuses (YAML flow style,
     * errors) goes through the YAML parser, so accepted documents and error messages are what they were.
     */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ConfigParser() {
    }

    public static ProxyConfig parse(String text) {
        return parse(readTree(text));
    }

    /** YAML is a superset of JSON, so one reader serves both. */
    public static JsonNode readTree(String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException("", "empty document; expected a ProxyConfig in YAML or JSON");
        }
        try {
            JsonNode node = readJson(text);
            if (node == null) {
                node = YAML.readTree(text);
            }
            if (node == null || !node.isObject()) {
                throw new ConfigException("", "expected an object with fields " + TOP_FIELDS);
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException("", "not valid YAML or JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("", "could not read the document: " + e.getMessage());
        }
    }

    /** The tree of a document that is plain JSON (an object), or null to let the YAML parser read it. */
    private static JsonNode readJson(String text) {
        if (!text.stripLeading().startsWith("{")) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null; // YAML flow style, or an error the YAML parser will report as before
        }
    }

    /** Checks a config built in code (merged flags, Toxiproxy edits) by the same rules as a document. */
    public static ProxyConfig revalidate(ProxyConfig config) {
        return parse(ConfigJson.render(config, listener -> null));
    }

    public static ProxyConfig parse(JsonNode tree) {
        ConfigNode root = new ConfigNode(tree, "").allowOnly(TOP_FIELDS);
        String version = root.string("version", "");
        Instant expiresAt = null;
        String expires = root.string("expiresAt", null);
        if (expires != null) {
            try {
                expiresAt = Instant.parse(expires);
            } catch (DateTimeParseException e) {
                throw root.error("expiresAt", "'" + expires + "' is not an RFC 3339 UTC time such as 2026-11-23T10:15:00Z");
            }
        }
        List<ListenerSpec> listeners = new ArrayList<>();
        Set<String> listenerNames = new HashSet<>();
        for (ConfigNode l : root.list("listeners")) {
            ListenerSpec spec = parseListener(l);
            if (!listenerNames.add(spec.name())) {
                throw l.error("name", "duplicate listener name '" + spec.name() + "'");
            }
            listeners.add(spec);
        }
        checkDistinctAddresses(root, listeners);
        List<RuleSpec> rules = new ArrayList<>();
        Set<String> ruleNames = new HashSet<>();
        for (ConfigNode r : root.list("rules")) {
            RuleSpec rule = parseRule(r, listenerNames);
            if (!ruleNames.add(rule.name())) {
                throw r.error("name", "duplicate rule name '" + rule.name() + "'");
            }
            rules.add(rule);
        }
        ProxyConfig config = new ProxyConfig(version, expiresAt, listeners, rules);
        RuleCompatibility.check(config); // the engine checks again for configs built elsewhere (Toxiproxy API)
        return config;
    }

    private static void checkDistinctAddresses(ConfigNode root, List<ListenerSpec> listeners) {
        Set<HostPort> seen = new HashSet<>();
        for (int i = 0; i < listeners.size(); i++) {
            ListenerSpec l = listeners.get(i);
            if (l.enabled() && l.listen().port() != 0 && !seen.add(l.listen())) {
                throw new ConfigException("listeners[" + i + "].listen",
                        "address " + l.listen() + " is used by another listener");
            }
        }
    }

    public static String checkName(ConfigNode node, String field, String name) {
        if (!NAME.matcher(name).matches()) {
            throw node.error(field, "'" + name + "' is not a valid name; expected " + NAME_ACCEPTED);
        }
        return name;
    }

    public static ListenerSpec parseListener(ConfigNode l) {
        l.allowOnly(LISTENER_FIELDS);
        String name = checkName(l, "name", l.requiredString("name", NAME_ACCEPTED));
        HostPort listen;
        try {
            listen = HostPort.parse(l.requiredString("listen", HostPort.ACCEPTED));
        } catch (IllegalArgumentException e) {
            throw l.error("listen", e.getMessage());
        }
        Upstream upstream;
        try {
            upstream = Upstream.parse(l.requiredString("upstream", Upstream.ACCEPTED));
        } catch (IllegalArgumentException e) {
            throw l.error("upstream", e.getMessage());
        }
        Protocol defaultProtocol = upstream.scheme().equals("http") ? Protocol.HTTP : Protocol.TCP;
        Protocol protocol = l.enumValue("protocol", Protocol.class, defaultProtocol);
        if (upstream.scheme().equals("http") && protocol != Protocol.HTTP) {
            throw l.error("protocol", "an http:// upstream needs protocol http");
        }
        TlsSpec tls = TlsSpec.DEFAULT;
        if (l.has("tls")) {
            ConfigNode t = l.object("tls").allowOnly(Set.of("caFile", "serverName"));
            if (!upstream.tls()) {
                throw l.error("tls", "TLS settings need a tls://host:port upstream");
            }
            tls = new TlsSpec(t.string("caFile", null), t.string("serverName", null));
        }
        for (String httpOnly : List.of("responseTimeout", "idleTimeout", "recording", "requestHeadTimeout",
                "requestBodyIdleTimeout")) {
            if (l.has(httpOnly) && protocol != Protocol.HTTP) {
                throw l.error(httpOnly, "applies to http listeners only (protocol: http)");
            }
        }
        return new ListenerSpec(name, listen, upstream, protocol,
                l.bool("enabled", true),
                l.duration("connectTimeout", ListenerSpec.DEFAULT_CONNECT_TIMEOUT),
                (int) l.integer("maxConnections", 0, 0, 1_000_000),
                tls,
                l.duration("responseTimeout", ListenerSpec.DEFAULT_RESPONSE_TIMEOUT),
                l.duration("idleTimeout", ListenerSpec.DEFAULT_IDLE_TIMEOUT),
                parseTermination(l, protocol),
                l.has("recording") ? parseRecording(l.object("recording")) : RecordingSpec.OFF,
                l.duration("requestHeadTimeout", ListenerSpec.DEFAULT_REQUEST_HEAD_TIMEOUT),
                l.duration("requestBodyIdleTimeout", ListenerSpec.DEFAULT_REQUEST_BODY_IDLE_TIMEOUT));
    }

    /** {@code recording: {capacity: 1000, headers: [content-type], bodyBytes: 0}}; present = on. */
    static RecordingSpec parseRecording(ConfigNode r) {
        r.allowOnly(RECORDING_FIELDS);
        int capacity = (int) r.integer("capacity", RecordingSpec.DEFAULT_CAPACITY, 1, RecordingSpec.MAX_CAPACITY);
        List<String> names = r.strings("headers");
        if (names.size() > RecordingSpec.MAX_HEADERS) {
            throw r.error("headers", names.size() + " names; at most " + RecordingSpec.MAX_HEADERS + " are recorded");
        }
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).trim().toLowerCase(java.util.Locale.ROOT);
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new ConfigException(r.pathOf("headers") + "[" + i + "]", "'" + names.get(i)
                        + "' is not a header name; expected letters, digits and !#$%&'*+.^_`|~- (at most 64)");
            }
            if (headers.contains(name)) {
                throw new ConfigException(r.pathOf("headers") + "[" + i + "]", "header '" + name + "' is listed twice");
            }
            headers.add(name);
        }
        long bodyBytes = r.size("bodyBytes", 0L);
        if (bodyBytes > RecordingSpec.MAX_BODY_BYTES) {
            throw r.error("bodyBytes", bodyBytes + " is too large; expected a size from 0 to 64KiB");
        }
        if (capacity * bodyBytes > RecordingSpec.MAX_BODY_BYTES_TOTAL) {
            throw r.error("bodyBytes", "capacity x bodyBytes = " + capacity * bodyBytes
                    + " bytes; at most 16MiB (lower capacity or bodyBytes)");
        }
        return new RecordingSpec(capacity, headers, (int) bodyBytes);
    }

    /** The files are read when the config is applied (the engine names these fields when they are unusable). */
    private static TlsTermination parseTermination(ConfigNode l, Protocol protocol) {
        if (!l.has("terminateTls")) {
            return TlsTermination.NONE;
        }
        ConfigNode t = l.object("terminateTls").allowOnly(Set.of("certFile", "keyFile", "alpn"));
        String certFile = t.requiredString("certFile", "a path to PEM certificates, the server's first");
        String keyFile = t.requiredString("keyFile", "a path to the PEM private key of the certificate "
                + "(PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted)");
        if (protocol != Protocol.HTTP) {
            if (t.has("alpn")) {
                throw t.error("alpn", "applies to http listeners only (a tcp listener relays bytes: "
                        + "it cannot promise a protocol)");
            }
            return new TlsTermination(certFile, keyFile);
        }
        return new TlsTermination(certFile, keyFile, parseAlpn(t));
    }

    private static List<String> parseAlpn(ConfigNode t) {
        if (!t.has("alpn")) {
            return TlsTermination.HTTP_DEFAULT_ALPN;
        }
        if (!t.json().get("alpn").isArray()) {
            throw t.error("alpn", "expected a list of protocols from [h2, http/1.1] (in order of preference; "
                    + "[] = no ALPN)");
        }
        List<String> given = t.strings("alpn");
        List<String> alpn = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String p = given.get(i);
            String where = t.pathOf("alpn") + "[" + i + "]";
            if (!p.equals(TlsTermination.H2) && !p.equals(TlsTermination.HTTP_1_1)) {
                throw new ConfigException(where, "'" + p + "' is not a protocol the sidecar serves; expected h2 "
                        + "or http/1.1");
            }
            if (alpn.contains(p)) {
                throw new ConfigException(where, "'" + p + "' is listed twice");
            }
            alpn.add(p);
        }
        return alpn;
    }

    public static RuleSpec parseRule(ConfigNode r, Set<String> listenerNames) {
        String name = checkName(r, "name", r.requiredString("name", NAME_ACCEPTED));
        List<String> listeners = r.strings("listeners");
        for (int i = 0; i < listeners.size(); i++) {
            if (!listenerNames.contains(listeners.get(i))) {
                throw new ConfigException(r.pathOf("listeners") + "[" + i + "]",
                        "no listener named '" + listeners.get(i) + "'; listeners: " + listenerNames);
            }
        }
        double probability = r.number("probability", 1.0, 0.0, 1.0);
        StreamDirection stream = r.enumValue("stream", StreamDirection.class, StreamDirection.DOWNSTREAM);
        FaultSpec fault = null;
        java.util.Iterator<String> fields = r.json().fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (RULE_BASE_FIELDS.contains(field)) {
                continue;
            }
            FaultKind kind = FaultKinds.byName(field).orElseThrow(() -> r.error(field,
                    "unknown field; a rule takes " + RULE_BASE_FIELDS + " and exactly one fault of " + FaultKinds.names()));
            if (fault != null) {
                throw r.error(field, "a rule holds exactly one fault, but it also has '" + fault.kind().name()
                        + "'; split it into two rules");
            }
            fault = kind.parse(r.object(field));
        }
        if (fault == null) {
            throw r.error(null, "a rule needs exactly one fault, one of " + FaultKinds.names());
        }
        JsonNode match = null;
        if (r.has("match")) {
            // Validated here (every error names its field); compiled per listener when applied.
            RequestMatch.parse(r.object("match"));
            match = r.json().get("match").deepCopy();
        }
        return new RuleSpec(name, listeners, probability, stream, match, fault);
    }
}
