package io.faultline.sidecar.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import io.faultline.config.LinearRegex;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultSpec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * rewrite: changes the request line before the request is forwarded: {@code method} (e.g. PUT), and
 * the path, either to a fixed {@code path} or by {@code pathRegex} (RE2 syntax, see {@link LinearRegex}) +
 * {@code replacement} ({@code $1} or {@code ${name}} for groups, {@code \$} for a literal dollar: {@code ^/v1/(.*)} to {@code /v2/$1}; the first match is
 * replaced, no match leaves the path alone). It works on the raw (percent-encoded) path; the query
 * string stays. A kind of its own rather than part of {@code headers}: it edits the request line,
 * not header fields, and is combined with header edits by giving both rules. HEAD requests keep
 * their method and no request becomes HEAD or CONNECT (the response framing depends on them).
 * A rewritten path that would not be a valid origin-form path is not applied.
 */
public record RewriteFault(String method, String path, Pattern pathRegex, String replacement) implements HttpFault {
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final java.util.regex.Pattern GROUP_REF = java.util.regex.Pattern.compile("\\$(\\d+)");
    private static final java.util.regex.Pattern NAMED_REF = java.util.regex.Pattern.compile("\\$\\{([^}]*)\\}");

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "rewrite";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("method", "path", "pathRegex", "replacement"));
            String method = node.string("method", null);
            if (method != null) {
                method = method.trim().toUpperCase(Locale.ROOT);
                if (!TOKEN.matcher(method).matches() || method.equals("HEAD") || method.equals("CONNECT")) {
                    throw node.error("method", "'" + node.string("method", null)
                            + "' is not accepted; expected an HTTP method such as GET, POST, PUT, DELETE (not HEAD or CONNECT)");
                }
            }
            String path = node.string("path", null);
            if (path != null && !validPath(path)) {
                throw node.error("path", "'" + path + "' is not a path; expected one starting with / without spaces, ? or #");
            }
            Pattern regex = null;
            if (node.has("pathRegex")) {
                if (path != null) {
                    throw node.error("pathRegex", "give path (a fixed path) or pathRegex with replacement, not both");
                }
                try {
                    regex = LinearRegex.compile(node.string("pathRegex", null));
                } catch (LinearRegex.InvalidRegexException e) {
                    throw node.error("pathRegex", e.getMessage());
                }
                if (!node.has("replacement")) {
                    throw node.error("replacement", "required with pathRegex; e.g. /v2/$1");
                }
            } else if (node.has("replacement")) {
                throw node.error("replacement", "goes with pathRegex only");
            }
            String replacement = node.string("replacement", null);
            if (replacement != null) {
                Matcher ref = GROUP_REF.matcher(replacement);
                while (ref.find()) {
                    if (Integer.parseInt(ref.group(1)) > regex.groupCount()) {
                        throw node.error("replacement", "refers to group $" + ref.group(1) + " but pathRegex has "
                                + regex.groupCount() + " group(s)");
                    }
                }
                Matcher named = NAMED_REF.matcher(replacement);
                while (named.find()) {
                    if (!regex.namedGroups().containsKey(named.group(1))) {
                        throw node.error("replacement", "refers to group ${" + named.group(1)
                                + "} but pathRegex has no group of that name; name one with (?P<name>...)");
                    }
                }
            }
            if (method == null && path == null && regex == null) {
                throw node.error(null, "nothing to do; give method, path, or pathRegex with replacement");
            }
            return new RewriteFault(method, path, regex, replacement);
        }
    };

    private static boolean validPath(String p) {
        return p.startsWith("/") && p.chars().noneMatch(c -> c <= ' ' || c == '?' || c == '#' || c == 0x7f);
    }

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        if (method != null) {
            n.put("method", method);
        }
        if (path != null) {
            n.put("path", path);
        }
        if (pathRegex != null) {
            n.put("pathRegex", pathRegex.pattern()).put("replacement", replacement);
        }
        return n;
    }

    /** Records compare Patterns by identity: compare the source instead (an unchanged rule must stay equal). */
    @Override
    public boolean equals(Object o) {
        return o instanceof RewriteFault r && java.util.Objects.equals(method, r.method)
                && java.util.Objects.equals(path, r.path) && java.util.Objects.equals(replacement, r.replacement)
                && java.util.Objects.equals(pathRegex == null ? null : pathRegex.pattern(),
                r.pathRegex == null ? null : r.pathRegex.pattern());
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(method, path, replacement, pathRegex == null ? null : pathRegex.pattern());
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        HttpRequest request = exchange.request();
        exchange.injected();
        if (method != null && !request.method().equals(HttpMethod.HEAD)) {
            request.setMethod(HttpMethod.valueOf(method));
        }
        if (path == null && pathRegex == null) {
            return;
        }
        String uri = request.uri();
        int start = 0;
        int scheme = uri.indexOf("://");
        if (scheme > 0 && scheme < 8) {
            int slash = uri.indexOf('/', scheme + 3);
            start = slash < 0 ? uri.length() : slash;
        }
        int end = uri.indexOf('?', start);
        end = end < 0 ? uri.length() : end;
        String oldPath = start == end ? "/" : uri.substring(start, end);
        String newPath;
        try {
            newPath = path != null ? path : pathRegex.matcher(oldPath).replaceFirst(replacement);
        } catch (IllegalArgumentException | IndexOutOfBoundsException badReplacement) {
            return; // e.g. a dangling backslash: the path stays as the client sent it
        }
        if (validPath(newPath)) {
            request.setUri(uri.substring(0, start) + newPath + uri.substring(end));
        }
    }
}
