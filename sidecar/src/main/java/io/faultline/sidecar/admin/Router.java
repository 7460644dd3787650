package io.faultline.sidecar.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Maps METHOD + path pattern ({@code /proxies/{name}/toxics/{toxic}}) to a handler. */
public final class Router {
    @FunctionalInterface
    public interface Handler {
        CompletionStage<AdminResponse> handle(AdminRequest request);
    }

    private record Route(HttpMethod method, String[] segments, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(HttpMethod method, String pattern, Handler handler) {
        routes.add(new Route(method, split(pattern), handler));
        return this;
    }

    /** For handlers that answer at once. */
    public Router addSync(HttpMethod method, String pattern, java.util.function.Function<AdminRequest, AdminResponse> f) {
        return add(method, pattern, r -> CompletableFuture.completedFuture(f.apply(r)));
    }

    /** The matching route's handler with its path parameters, or a 404/405 answer. */
    public CompletionStage<AdminResponse> dispatch(AdminRequest raw) {
        String[] path = split(raw.path());
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = match(route.segments, path);
            if (params == null) {
                continue;
            }
            if (!route.method.equals(raw.method())) {
                allowed.add(route.method.name());
                continue;
            }
            AdminRequest req = new AdminRequest(raw.method(), raw.path(), params, raw.query(), raw.headers(), raw.body());
            return route.handler.handle(req);
        }
        if (!allowed.isEmpty()) {
            return CompletableFuture.completedFuture(AdminResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    raw.method() + " is not allowed on " + raw.path() + "; allowed: " + String.join(", ", allowed))
                    .withHeader("Allow", String.join(", ", allowed)));
        }
        return CompletableFuture.completedFuture(AdminResponse.error(HttpResponseStatus.NOT_FOUND,
                "no such endpoint: " + raw.path()));
    }

    private static Map<String, String> match(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                params.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/");
    }
}
