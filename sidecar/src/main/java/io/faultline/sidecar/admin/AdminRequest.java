package io.faultline.sidecar.admin;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/** A parsed admin request: method, path parameters from the route, query, headers and the body as text. */
public record AdminRequest(
        HttpMethod method,
        String path,
        Map<String, String> pathParams,
        Map<String, List<String>> query,
        HttpHeaders headers,
        String body) {

    public String param(String name) {
        return pathParams.get(name);
    }

    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
