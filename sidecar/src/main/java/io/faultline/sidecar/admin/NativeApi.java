package io.faultline.sidecar.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigJson;
import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.engine.Engine;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Health, readiness and the versioned native config: {@code /healthz}, {@code /readyz}, {@code /v1/config}. */
final class NativeApi {
    private final Engine engine;

    NativeApi(Engine engine) {
        this.engine = engine;
    }

    void register(Router router) {
        router.addSync(HttpMethod.GET, "/healthz", r -> AdminResponse.ok(status("ok")));
        router.addSync(HttpMethod.GET, "/readyz", r -> engine.ready()
                ? AdminResponse.ok(status("ready"))
                : AdminResponse.json(HttpResponseStatus.SERVICE_UNAVAILABLE, status("not ready: listeners not bound yet")));
        router.addSync(HttpMethod.GET, "/v1/config", r -> AdminResponse.ok(render(engine.config())));
        router.add(HttpMethod.PUT, "/v1/config", this::putConfig);
    }

    private CompletionStage<AdminResponse> putConfig(AdminRequest request) {
        ProxyConfig next = ConfigParser.parse(request.body());
        CompletableFuture<AdminResponse> answer = new CompletableFuture<>();
        engine.apply(next).addListener(f -> {
            if (f.isSuccess()) {
                answer.complete(AdminResponse.ok(render(next)));
            } else {
                answer.completeExceptionally(f.cause());
            }
        });
        return answer;
    }

    ObjectNode render(ProxyConfig config) {
        return ConfigJson.render(config, engine::boundAddress);
    }

    private static ObjectNode status(String s) {
        return JsonNodeFactory.instance.objectNode().put("status", s);
    }
}
