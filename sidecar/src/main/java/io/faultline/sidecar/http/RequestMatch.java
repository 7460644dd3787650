package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which requests a rule applies to. Every given condition must hold (AND); an absent one holds
 * always. {@code methods}: any of them; {@code path}: a {@link PathGlob}, or {@code pathRegex}
 * (full match); {@code headers} and {@code query}: per name, an exact value ({@code "v"} or
 * {@code {exact: v}}), {@code {regex: re}} (full match of any value) or {@code {present: true|false}};
 * {@code host}: a glob on the Host header without port ({@code *.example.com}).
 *
 * <p>Health and probe paths are never touched by default: {@code exclude} (path globs) defaults to
 * {@link #DEFAULT_EXCLUDE}; {@code exclude: []} lets a rule reach them too.
 */
public final class RequestMatch {
    public static final List<String> DEFAULT_EXCLUDE = List.of("/healthz", "/readyz", "/livez", "/metrics");
    private static final List<Pattern> DEFAULT_EXCLUDE_PATTERNS = compileAll(DEFAULT_EXCLUDE);
    public static final RequestMatch ANY = new RequestMatch(Set.of(), null, List.of(), List.of(), null,
            DEFAULT_EXCLUDE_PATTERNS);
    static final Set<String> FIELDS = Set.of("methods", "path", "pathRegex", "headers", "query", "host", "exclude");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Set<String> methods;
    private final Pattern path;
    private final List<Condition> headers;
    private final List<Condition> query;
    private final Pattern host;
    private final List<Pattern> exclude;

    private RequestMatch(Set<String> methods, Pattern path, List<Condition> headers, List<Condition> query,
                         Pattern host, List<Pattern> exclude) {
        this.methods = methods;
        this.path = path;
        this.headers = headers;
        this.query = query;
        this.host = host;
        this.exclude = exclude;
    }

    /** A value condition on a header or query parameter. */
    private record Condition(String name, String exact, Pattern regex, Boolean present) {
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
        if (node.has("path")) {
            String glob = node.string("path", null);
            if (!glob.startsWith("/")) {
                throw node.error("path", "'" + glob + "' must start with '/'; globs: * = one segment, ** = any");
            }
            path = PathGlob.compile(glob);
        } else if (node.has("pathRegex")) {
            path = regex(node, "pathRegex", node.string("pathRegex", null));
        }
        Pattern host = node.has("host") ? hostGlob(node.string("host", null)) : null;
        List<Pattern> exclude;
        if (node.has("exclude")) {
            List<String> globs = node.strings("exclude");
            for (int i = 0; i < globs.size(); i++) {
                if (!globs.get(i).startsWith("/")) {
                    throw new ConfigException(node.pathOf("exclude") + "[" + i + "]",
                            "'" + globs.get(i) + "' must be a path glob starting with '/'");
                }
            }
            exclude = compileAll(globs);
        } else {
            exclude = DEFAULT_EXCLUDE_PATTERNS;
        }
        return new RequestMatch(Set.copyOf(methods), path, conditions(node, "headers", true),
                conditions(node, "query", false), host, exclude);
    }

    private static List<Pattern> compileAll(List<String> globs) {
        return globs.stream().map(PathGlob::compile).toList();
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
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw node.error(field, "'" + re + "' is not a valid regular expression: " + e.getDescription());
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
        for (Pattern p : exclude) {
            if (p.matcher(r.path()).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code request} matches (for request heads that did not come through the HTTP/1.1 codec, e.g. h2). */
    public boolean matches(io.netty.handler.codec.http.HttpRequest request) {
        return matches(new RequestView(request));
    }

    boolean matches(RequestView r) {
        if (!methods.isEmpty() && !methods.contains(r.method())) {
            return false;
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
        for (Condition c : headers) {
            if (!c.test(r.request().headers().getAll(c.name()))) {
                return false;
            }
        }
        for (Condition c : query) {
            if (!c.test(r.query().getOrDefault(c.name(), List.of()))) {
                return false;
            }
        }
        return true;
    }
}
