package io.faultline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The operator's own configuration properties, read from its sources: every {@code @ConfigMapping(prefix = "...")}
 * interface, its methods as kebab-case keys, nested interfaces as groups named after their accessor (SmallRye
 * Config's naming rules).
 */
final class OperatorConfigKeys {
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    /** "interface Name {", "{", "}", or an accessor "Type name();" (generic types allowed). */
    private static final Pattern TOKEN = Pattern.compile(
            "interface\\s+(\\w+)[^{]*\\{|\\{|\\}|([\\w.]+(?:<[\\w.<>, ?]+>)?)\\s+(\\w+)\\(\\)\\s*;");

    private OperatorConfigKeys() {
    }

    static Set<String> properties() {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Repo.OPERATOR_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                String source = Files.readString(file).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                Matcher mapping = MAPPING.matcher(source);
                if (mapping.find()) {
                    keys.addAll(keysOf(source.substring(mapping.end()), mapping.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /** As environment variables: faultline.sidecar.default-admin-port -> FAULTLINE_SIDECAR_DEFAULT_ADMIN_PORT. */
    static Set<String> environmentVariables() {
        return properties().stream().map(OperatorConfigKeys::toEnv).collect(Collectors.toCollection(TreeSet::new));
    }

    static String toEnv(String property) {
        return property.replaceAll("[.-]", "_").toUpperCase();
    }

    private static List<String> keysOf(String body, String prefix) {
        // First pass: which interface each accessor belongs to (by brace nesting), and which accessor returns a group.
        record Accessor(String owner, String type, String name) {
        }
        List<Accessor> accessors = new ArrayList<>();
        Deque<String> scopes = new ArrayDeque<>();
        Set<String> groups = new TreeSet<>();
        Matcher token = TOKEN.matcher(body);
        while (token.find()) {
            if (token.group(1) != null) {
                scopes.push(token.group(1));
                groups.add(token.group(1));
            } else if (token.group().equals("{")) {
                scopes.push("");
            } else if (token.group().equals("}")) {
                if (scopes.isEmpty()) {
                    break;
                }
                scopes.pop();
            } else if (!scopes.isEmpty()) {
                accessors.add(new Accessor(scopes.peek(), token.group(2), token.group(3)));
            }
        }
        String root = groups.isEmpty() ? null : firstInterface(body);
        Map<String, String> groupPath = new HashMap<>();
        groupPath.put(root, prefix);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Accessor a : accessors) {
                if (groups.contains(a.type()) && groupPath.containsKey(a.owner()) && !groupPath.containsKey(a.type())) {
                    groupPath.put(a.type(), groupPath.get(a.owner()) + "." + kebab(a.name()));
                    grew = true;
                }
            }
        }
        List<String> keys = new ArrayList<>();
        for (Accessor a : accessors) {
            if (!groups.contains(a.type()) && groupPath.containsKey(a.owner())) {
                keys.add(groupPath.get(a.owner()) + "." + kebab(a.name()));
            }
        }
        return keys;
    }

    private static String firstInterface(String body) {
        Matcher m = Pattern.compile("interface\\s+(\\w+)").matcher(body);
        return m.find() ? m.group(1) : null;
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
