package io.faultline.operator.compiler;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.faultline.config.LinearRegex;
import io.faultline.crds.spec.HttpMatch;
import io.faultline.crds.spec.ValueCondition;

/**
 * Semantic checks of a fault's {@code match}, by the sidecar's rules (its {@code RequestMatch}): what the CRD schema
 * says again (for servers without CEL), and what no schema can say: every regular expression passes the sidecar's own
 * gate ({@link LinearRegex}: RE2 syntax, bounded size), so a regex the sidecar would refuse fails the session with its
 * path (e.g. {@code spec.faults[2].match.pathRegex}) and the sidecar's reason instead of failing the push to every pod.
 */
final class MatchValidator {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private MatchValidator() {
    }

    static void check(HttpMatch match, String path, List<String> problems) {
        if (match == null) {
            return;
        }
        if (match.methods != null) {
            for (int i = 0; i < match.methods.size(); i++) {
                String method = match.methods.get(i);
                if (method == null || !TOKEN.matcher(method.trim()).matches()) {
                    problems.add(path + ".methods[" + i + "] '" + method + "' is not an HTTP method; expected e.g. GET, POST");
                }
            }
        }
        if (match.path != null && match.pathRegex != null) {
            problems.add(path + ": give path (a glob) or pathRegex, not both");
        }
        if (match.path != null && !match.path.startsWith("/")) {
            problems.add(path + ".path '" + match.path + "' must start with '/'; globs: * = one segment, ** = any");
        }
        regex(match.pathRegex, path + ".pathRegex", problems);
        conditions(match.headers, path + ".headers", problems);
        conditions(match.query, path + ".query", problems);
        if (match.exclude != null) {
            for (int i = 0; i < match.exclude.size(); i++) {
                String glob = match.exclude.get(i);
                if (glob == null || !glob.startsWith("/")) {
                    problems.add(path + ".exclude[" + i + "] '" + glob + "' must be a path glob starting with '/'");
                }
            }
        }
    }

    private static void conditions(Map<String, ValueCondition> conditions, String path, List<String> problems) {
        if (conditions == null) {
            return;
        }
        conditions.forEach((name, condition) -> {
            String at = path + "." + name;
            int given = condition == null ? 0
                    : (condition.exact != null ? 1 : 0) + (condition.regex != null ? 1 : 0) + (condition.present != null ? 1 : 0);
            if (given != 1) {
                problems.add(at + ": give exactly one of exact (a value), regex (full match) or present (true|false)");
                return;
            }
            regex(condition.regex, at + ".regex", problems);
        });
    }

    /** Adds the sidecar's reason, after the field's path, when {@code regex} is one the sidecar would refuse. */
    static void regex(String regex, String path, List<String> problems) {
        if (regex == null) {
            return;
        }
        try {
            LinearRegex.compile(regex);
        } catch (LinearRegex.InvalidRegexException e) {
            problems.add(path + " " + e.getMessage());
        }
    }
}
