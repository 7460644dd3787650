package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import io.faultline.config.LinearRegex;
import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which requests a rule applies to. Every given condition must hold (AND); an absent one holds
 * always. {@code methods}: any of them; {@code path}: a {@link PathGlob}, or {@code pathRegex}
 * (full match); {@code headers} and {@code query}: per name, an exact value ({@code "v"} or
 * {@code {exact: v}}), {@code {regex: re}} (full match of any value) or {@code {present: true|false}};
 * {@code host}: a glob on the Host header without port ({@code *.example.com}). Every pattern, regex or glob, is
 * matched by RE2/J in time linear in the input ({@link LinearRegex}): no request can stall the event loop.
 *
 * <p>Health and probe paths are never touched by default: {@code exclude} (path globs) defaults to
 * {@link #DEFAULT_EXCLUDE}; {@code exclude: []} lets a rule reach them too.
 */
public final class RequestMatch {
    public static final List<String> DEFAULT_EXCLUDE = List.of("/healthz", "/readyz", "/livez", "/metrics");
    private static final Exclusion DEFAULT_EXCLUSION = Exclusion.of(DEFAULT_EXCLUDE);
    public static final RequestMatch ANY = new RequestMatch(Set.of(), null, "", null, List.of(), List.of(), null, "",
            null, DEFAULT_EXCLUSION);
    static final Set<String> FIELDS = Set.of("methods", "path", "pathRegex", "headers", "query", "host", "exclude");
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Set<String> methods;
    private final Pattern path;
    /** Literal start of every path the glob matches ("" for pathRegex): most misses end here, without a regex. */
    private final String pathPrefix;
    private final List<Condition> headers;
    private final List<Condition> query;
    private final Pattern host;
    /** Literal start of the host glob (lower case): most host misses end here. */
    private final String hostPrefix;
    private final Exclusion exclude;
    /** The first path segment every match has (between the first two '/'), or null if the glob leaves it open. */
    private final String pathSegment;
    /** The first label every matching host has (before the first '.'), or null if the glob leaves it open. */
    private final String hostLabel;

    private RequestMatch(Set<String> methods, Pattern path, String pathPrefix, String pathSegment,
                         List<Condition> headers, List<Condition> query, Pattern host, String hostPrefix,
                         String hostLabel, Exclusion exclude) {
        this.methods = methods;
        this.path = path;
        this.pathPrefix = pathPrefix;
        this.pathSegment = pathSegment;
        this.headers = headers;
        this.query = query;
        this.host = host;
        this.hostPrefix = hostPrefix;
        this.hostLabel = hostLabel;
        this.exclude = exclude;
    }

    /**
     * The exclusion list, split so that the common case costs one hash lookup per rule instead of
     * a regex per entry: literal paths (the probe paths) in a set, globs with wildcards as regexes.
     */
    private record Exclusion(Set<String> literals, List<Pattern> globs) {
        static Exclusion of(List<String> globs) {
            Set<String> literals = new HashSet<>();
            List<Pattern> patterns = new ArrayList<>();
            for (String glob : globs) {
                if (PathGlob.isLiteral(glob)) {
                    literals.add(glob);
                } else {
                    patterns.add(PathGlob.compile(glob));
                }
            }
            return new Exclusion(Set.copyOf(literals), List.copyOf(patterns));
        }

        boolean test(String path) {
            if (literals.contains(path)) {
                return true;
            }
            for (Pattern p : globs) {
                if (p.matcher(path).matches()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A value condition on a header or query parameter. */
    private record Condition(String name, AsciiString headerName, String exact, Pattern regex, Boolean present) {
        Condition(String name, String exact, Pattern regex, Boolean present) {
            this(name, AsciiString.cached(name), exact, regex, present);
        }

        /** Absent headers (the usual miss) are told by one lookup, without building a list of values. */
        boolean test(HttpHeaders headers) {
            return test(headers.contains(headerName) ? headers.getAll(headerName) : List.of());
        }

        /** Whether only a request that has this header (or parameter) can pass: exact, regex, present: true. */
        boolean needsPresence() {
            return present == null || present;
        }

        boolean test(List<String> values) {
            if (present != null) {
                return present != values.isEmpty();
            }
            for (String v : values) {
                if (exact != null ? exact.equals(v) : regex.matcher(v).matches()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Compiles an already validated {@code match} (null means: every request but the excluded paths). */
    public static RequestMatch fromJson(JsonNode match) {
        return match == null || match.isNull() ? ANY : parse(new ConfigNode(match, "match"));
    }

    /** Validates and compiles; errors name the field, e.g. {@code rules[0].match.headers.x-a.regex}. */
    public static RequestMatch parse(ConfigNode node) {
        node.allowOnly(FIELDS);
        Set<String> methods = new LinkedHashSet<>();
        List<String> methodList = node.strings("methods");
        for (int i = 0; i < methodList.size(); i++) {
            String m = methodList.get(i).trim().toUpperCase(Locale.ROOT);
            if (!TOKEN.matcher(m).matches()) {
                throw new ConfigException(node.pathOf("methods") + "[" + i + "]",
                        "'" + methodList.get(i) + "' is not an HTTP method; expected e.g. GET, POST, PUT, DELETE");
            }
            methods.add(m);
        }
        if (node.has("path") && node.has("pathRegex")) {
            throw node.error("pathRegex", "give either path (a glob) or pathRegex, not both");
        }
        Pattern path = null;
        String pathPrefix = "";
        String pathSegment = null;
        if (node.has("path")) {
            String glob = node.string("path", null);
            if (!glob.startsWith("/")) {
                throw node.error("path", "'" + glob + "' must start with '/'; globs: * = one segment, ** = any");
            }
            path = PathGlob.compile(glob);
            pathPrefix = PathGlob.literalPrefix(glob);
            pathSegment = PathGlob.literalFirstSegment(glob);
        } else if (node.has("pathRegex")) {
            path = regex(node, "pathRegex", node.string("pathRegex", null));
        }
        Pattern host = node.has("host") ? hostGlob(node.string("host", null)) : null;
        // A host glob's literal start works like a path glob's ('*' never matches a '.', '**' is not special).
        String hostPrefix = host == null ? "" : PathGlob.literalPrefix(node.string("host", null).toLowerCase(Locale.ROOT));
        String hostLabel = host == null ? null : literalFirstLabel(node.string("host", null).toLowerCase(Locale.ROOT));
        Exclusion exclude;
        if (node.has("exclude")) {
            List<String> globs = node.strings("exclude");
            for (int i = 0; i < globs.size(); i++) {
                if (!globs.get(i).startsWith("/")) {
                    throw new ConfigException(node.pathOf("exclude") + "[" + i + "]",
                            "'" + globs.get(i) + "' must be a path glob starting with '/'");
                }
            }
            exclude = Exclusion.of(globs);
        } else {
            exclude = DEFAULT_EXCLUSION;
        }
        return new RequestMatch(Set.copyOf(methods), path, pathPrefix, pathSegment, conditions(node, "headers", true),
                conditions(node, "query", false), host, hostPrefix, hostLabel, exclude);
    }

    /** The literal first label of a host glob ('*' never crosses a '.'), or null if a '*' is in it. */
    private static String literalFirstLabel(String glob) {
        int dot = glob.indexOf('.');
        String label = dot < 0 ? glob : glob.substring(0, dot);
        return label.indexOf('*') < 0 ? label : null;
    }

    // What a request must have for this match to hold at all, for RuleIndex (null or empty: no such demand).

    /** The methods one of which a request must have (empty: any). */
    Set<String> methods() {
        return methods;
    }

    /** The first path segment of every matching path (see {@link RequestView#firstPathSegment}), or null. */
    String pathSegment() {
        return pathSegment;
    }

    /** The first label of every matching host (see {@link RequestView#firstHostLabel}), or null. */
    String hostLabel() {
        return hostLabel;
    }

    /** The headers a request must carry (lower case) for the match to hold. */
    List<AsciiString> requiredHeaders() {
        List<AsciiString> out = new ArrayList<>();
        for (Condition c : headers) {
            if (c.needsPresence()) {
                out.add(c.headerName());
            }
        }
        return out;
    }

    /** Whether only a request with a query string can match (some parameter must be present). */
    boolean requiresQuery() {
        for (Condition c : query) {
            if (c.needsPresence()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern hostGlob(String glob) {
        String[] parts = glob.toLowerCase(Locale.ROOT).split("\\*", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append("[^.]*");
            }
            re.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(re.toString());
    }

    private static Pattern regex(ConfigNode node, String field, String re) {
        try {
            return LinearRegex.compile(re);
        } catch (LinearRegex.InvalidRegexException e) {
            throw node.error(field, e.getMessage());
        }
    }

    private static List<Condition> conditions(ConfigNode node, String field, boolean caseInsensitiveNames) {
        if (!node.has(field)) {
            return List.of();
        }
        ConfigNode obj = node.object(field);
        List<Condition> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = obj.json().fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = caseInsensitiveNames ? e.getKey().toLowerCase(Locale.ROOT) : e.getKey();
            JsonNode v = e.getValue();
            if (v.isValueNode() && !v.isNull()) {
                out.add(new Condition(name, v.asText(), null, null));
                continue;
            }
            ConfigNode c = new ConfigNode(v, obj.pathOf(e.getKey())).allowOnly(Set.of("exact", "regex", "present"));
            int given = (c.has("exact") ? 1 : 0) + (c.has("regex") ? 1 : 0) + (c.has("present") ? 1 : 0);
            if (given != 1) {
                throw c.error(null, "give exactly one of exact (a value), regex (full match) or present (true|false)");
            }
            if (c.has("exact")) {
                out.add(new Condition(name, c.string("exact", null), null, null));
            } else if (c.has("regex")) {
                out.add(new Condition(name, null, regex(c, "regex", c.string("regex", null)), null));
            } else {
                out.add(new Condition(name, null, null, c.bool("present", true)));
            }
        }
        return List.copyOf(out);
    }

    /** Whether the request's path is one the rule must leave alone (health and probe paths by default). */
    boolean excluded(RequestView r) {
        return exclude.test(r.path());
    }

    /** Whether {@code request} matches (for request heads that did not come through the HTTP/1.1 codec, e.g. h2). */
    public boolean matches(io.netty.handler.codec.http.HttpRequest request) {
        return matches(new RequestView(request));
    }

    /**
     * Cheapest tests first (every condition must hold, so the order changes nothing but the cost):
     * with many rules most of them miss on a set lookup, a prefix or an absent header, and the
     * regexes run only for the few that got that far.
     */
    boolean matches(RequestView r) {
        if (!methods.isEmpty() && !methods.contains(r.method())) {
            return false;
        }
        if (path != null && !r.path().startsWith(pathPrefix)) {
            return false;
        }
        if (host != null && !r.host().startsWith(hostPrefix)) {
            return false;
        }
        for (Condition c : headers) {
            if (!c.test(r.request().headers())) {
                return false;
            }
        }
        if (excluded(r)) {
            return false;
        }
        if (path != null && !path.matcher(r.path()).matches()) {
            return false;
        }
        if (host != null && !host.matcher(r.host()).matches()) {
            return false;
        }
        for (Condition c : query) {
            if (!c.test(r.query().getOrDefault(c.name(), List.of()))) {
                return false;
            }
        }
        return true;
    }
}
